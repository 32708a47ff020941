using System.Text;
using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Replication;
using RingCore.TestKit;

namespace RingCore.Tests.Replication;

internal static class ReplicationTestHelpers
{
    public static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string[] Texts(GetResult result) =>
        result.Values.Select(v => Encoding.UTF8.GetString(v.Span)).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The N primaries of a key, in preference order (the same hashing as RingNode).</summary>
    public static string[] Primaries(TestCluster cluster, string bucket, string key, int n = 3)
    {
        var ring = cluster.Ring;
        int partition = ring.PartitionOf(XxHash64.Hash(Encoding.UTF8.GetBytes(key), XxHash64.Hash(Encoding.UTF8.GetBytes(bucket))));
        return Enumerable.Range(0, n).Select(i => ring.OwnerMemberOf((partition + i) % ring.PartitionCount).Name).ToArray();
    }

    public static Task<SiblingSet<ReadOnlyMemory<byte>>?> Replica(TestCluster cluster, string node, string bucket, string key) =>
        cluster.Node(node).ReadReplicaAsync(bucket, Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds or 10 seconds pass: on real time what
    /// takes milliseconds alone can take seconds on a loaded CI machine (its polls end at once
    /// when the condition holds, so only a failing test waits the whole time).
    /// </summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }

    public static bool AllTombstones(SiblingSet<ReadOnlyMemory<byte>> set) => set.Values.All(v => (v.Span[0] & 1) != 0);
}
