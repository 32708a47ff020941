using System.Text;
using RingCore.Causality;
using RingCore.TestKit;

namespace RingCore.Tests.Readme;

// The replicated-store example of README.md, checked and run by ReadmeExampleTests like the
// embedding example.
internal static class ReadmeReplicationExample
{
    public static async Task<(string[] Siblings, string[] Resolved)> RunAsync()
    {
        // README example begin
        await using var cluster = new TestCluster(members: 5, ringSize: 64, nVal: 3, seed: 42);
        var n1 = cluster.Node("n1");
        var context = await n1.PutAsync("carts", "42", "apple"u8.ToArray(), CausalContext.Empty);

        cluster.Partition(["n1", "n2"], ["n3", "n4", "n5"]);                    // both sides keep writing
        await n1.PutAsync("carts", "42", "apple,pear"u8.ToArray(), context);
        await cluster.Node("n4").PutAsync("carts", "42", "apple,fig"u8.ToArray(), context);
        cluster.Heal();

        var read = await cluster.Node("n2").GetAsync("carts", "42");            // two siblings, none lost
        await n1.PutAsync("carts", "42", "apple,pear,fig"u8.ToArray(), read.Context); // resolves them
        // README example end

        var all = new RingCore.Replication.QuorumOptions { R = 3 };
        var resolved = await cluster.Node("n5").GetAsync("carts", "42", all);
        return (Texts(read.Values), Texts(resolved.Values));
    }

    private static string[] Texts(IEnumerable<ReadOnlyMemory<byte>> values) =>
        [.. values.Select(v => Encoding.UTF8.GetString(v.Span)).Order(StringComparer.Ordinal)];
}
