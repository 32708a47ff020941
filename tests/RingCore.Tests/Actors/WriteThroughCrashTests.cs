using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage.Faster;
using RingCore.Tests.Storage.Faster;

namespace RingCore.Tests.Actors;

/// <summary>
/// SIGKILL a node on FASTER while four senders flood one WriteThrough actor (Tells and Asks, so
/// turns store batches of messages with one write), then restart it here: every count an Ask
/// was answered with must have survived (issue 12, point 10: batching keeps commit before
/// acknowledgement).
/// </summary>
public sealed class WriteThroughCrashTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Every_count_an_Ask_acknowledged_survives_a_kill_of_a_node_whose_WriteThrough_actor_batches()
    {
        long acknowledged = 0;
        foreach (int killAfter in new[] { 300, 57 })
        {
            var run = await CrashHostProcess.RunAndKillAsync(_directory.Path, "actor", 0, writers: 4, (acks, _) => acks >= killAfter);
            Assert.True(run.Acks.Count >= killAfter);
            acknowledged = Math.Max(acknowledged, run.Acks.Max(ack => ack.Key));

            await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 8 }, Define,
                new RingNodeServices { Storage = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = _directory.Path }) });
            long stored = await node.GetActor("counter", "hot").Ask<long>(new Get(), TimeSpan.FromSeconds(30));

            // The count only grows, one message at a time, so a stored count below the highest
            // acknowledged one means an acknowledged Ask (or a message before it) was lost.
            Assert.True(stored >= acknowledged, $"the actor restarted at {stored}, below the {acknowledged} an Ask was answered with before the kill");
            acknowledged = stored;
        }
    }

    // The host's actor type (tests/RingCore.StorageCrashHost/ActorCrashWorkload.cs): the same
    // name, state and message types by name, so this node reads what the host stored.
    private static void Define(ActorRegistry actors) => actors.Add<long>("counter", type => type
        .InitialState(_ => 0)
        .On<Get, long>((count, _, _) => (count, count)));

    public sealed record Get;
}
