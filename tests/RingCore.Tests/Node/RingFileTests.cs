using RingCore.Claim;
using RingCore.Membership;
using RingCore.Node;
using RingCore.Ring;
using RingCore.Transport;

namespace RingCore.Tests.Node;

/// <summary>The ring kept in a file (RingFile, RingNodeOptions.RingFile): what a restarted ringd starts from.</summary>
public sealed class RingFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ringfile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_saved_ring_loads_back_with_its_members_owners_version_vector_and_transfers()
    {
        var ring = RingClaim.Initial(16, ["a", "b", "c"]).Ring;
        var evolved = ring.Evolve("a", [.. ring.Members, new RingMember("d", MemberStatus.Joining)], Owners(ring), [new PendingTransfer(3, "a", "d", TransferKind.Ownership)]);
        string path = Path.Combine(_directory, "nested", "ring");
        RingFile.Save(path, evolved);

        var loaded = RingFile.Load(path)!;
        Assert.Equal(evolved.ContentHash, loaded.ContentHash);
        Assert.Equal(evolved.Version, loaded.Version);
        Assert.Equal(evolved.ClusterId, loaded.ClusterId);
        Assert.Equal(string.Join(";", evolved.Transfers), string.Join(";", loaded.Transfers));
        Assert.Equal(evolved.Vector.OrderBy(v => v.Key, StringComparer.Ordinal), loaded.Vector.OrderBy(v => v.Key, StringComparer.Ordinal));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void No_file_is_no_ring_and_a_damaged_or_foreign_file_is_refused_with_its_path()
    {
        string path = Path.Combine(_directory, "ring");
        Assert.Null(RingFile.Load(path));

        RingFile.Save(path, RingClaim.Initial(16, ["a"]).Ring);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => RingFile.Load(path)).Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, bytes[..10]);
        Assert.Throws<InvalidDataException>(() => RingFile.Load(path));

        File.WriteAllText(path, "{ \"ring\": 1 }");
        Assert.Contains("not a RingCore ring file", Assert.Throws<InvalidDataException>(() => RingFile.Load(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_with_a_ring_file_writes_its_ring_at_start_and_after_every_change()
    {
        var network = new SimulatedNetwork(1, TimeProvider.System, RingCore.Runtime.ThreadPoolWorkScheduler.Instance);
        string fileOfA = Path.Combine(_directory, "a", "ring"), fileOfB = Path.Combine(_directory, "b", "ring");
        await using var a = await RingNode.StartAsync(new RingNodeOptions { NodeName = "a", PartitionCount = 16, RingFile = fileOfA },
            RingClaim.Initial(16, ["a"]).Ring, network.Connect("a"));
        await using var b = await RingNode.StartAsync(new RingNodeOptions { NodeName = "b", PartitionCount = 16, RingFile = fileOfB },
            RingClaim.Initial(16, ["b"]).Ring, network.Connect("b"));
        await WaitForAsync(() => RingFile.Load(fileOfA)?.ContentHash == a.Ring.ContentHash);

        await b.JoinAsync("a");
        await a.CommitAsync();
        await WaitForAsync(() => a.Ring.Transfers.IsEmpty && b.Ring.ContentHash == a.Ring.ContentHash);
        await WaitForAsync(() => RingFile.Load(fileOfA)?.ContentHash == a.Ring.ContentHash && RingFile.Load(fileOfB)?.ContentHash == b.Ring.ContentHash);

        var saved = RingFile.Load(fileOfB)!;
        Assert.Equal(["a", "b"], saved.Members.Select(m => m.Name));
        Assert.Equal(a.Ring.Version, saved.Version);
    }

    [Fact]
    public async Task A_ring_file_that_cannot_be_written_is_logged_and_counted_and_the_node_serves_on()
    {
        string blocker = Path.Combine(_directory, "a-file");
        File.WriteAllText(blocker, "not a directory");
        long failures = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "ringcore.ring.save_failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        var network = new SimulatedNetwork(1, TimeProvider.System, RingCore.Runtime.ThreadPoolWorkScheduler.Instance);
        await using var node = await RingNode.StartAsync(new RingNodeOptions { NodeName = "a", PartitionCount = 16, RingFile = Path.Combine(blocker, "ring") },
            RingClaim.Initial(16, ["a"]).Ring, network.Connect("a"));
        await WaitForAsync(() => Interlocked.Read(ref failures) > 0);
        await node.PutAsync("b", "k", new byte[] { 1 }, default);
        Assert.True((await node.GetAsync("b", "k")).Found);
    }

    [Fact]
    public void An_empty_ring_file_setting_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new RingNodeOptions { RingFile = " " }.Validate());
        Assert.Contains("RingFile", error.Message, StringComparison.Ordinal);
    }

    private static string[] Owners(RingState ring) => [.. Enumerable.Range(0, ring.PartitionCount).Select(p => ring.OwnerMemberOf(p).Name)];

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
