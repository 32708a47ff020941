using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RingCore.Actors;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Tests.Actors;

namespace RingCore.Tests.Diagnostics;

/// <summary>What a node tells its operator: the RingCore meter's counters and the log events, read as an operator's tools would.</summary>
public sealed class NodeDiagnosticsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Requests_activations_and_passivations_are_counted_by_kind_and_outcome()
    {
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16, Actors = { PassivationSweepInterval = TimeSpan.FromMilliseconds(20) } },
            actors => CounterActor.Define(actors, "counter", ActorDurability.WriteThrough, idle: TimeSpan.FromMilliseconds(20)));
        using var requests = new MetricCollector<long>(node.Metrics.Meter, "ringcore.requests");
        using var activations = new MetricCollector<long>(node.Metrics.Meter, "ringcore.actor.activations");
        using var passivations = new MetricCollector<long>(node.Metrics.Meter, "ringcore.actor.passivations");
        using var siblings = new MetricCollector<long>(node.Metrics.Meter, "ringcore.siblings");

        await node.PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty);
        await node.GetAsync("b", "k");
        await node.GetAsync("b", "k");
        var counter = node.GetActor("counter", "c");
        await counter.Ask<object?>(new CounterActor.Increment(), Wait);
        Assert.Equal(1, await counter.Ask<long>(new CounterActor.Get(), Wait));
        await Eventually(() => passivations.GetMeasurementSnapshot().Count >= 1);

        var measured = requests.GetMeasurementSnapshot();
        Assert.Equal(2, measured.Count(m => Equals(m.Tags["ringcore.kind"], "get") && Equals(m.Tags["ringcore.outcome"], "ok")));
        Assert.Equal(1, measured.Count(m => Equals(m.Tags["ringcore.kind"], "put") && Equals(m.Tags["ringcore.outcome"], "ok")));
        Assert.All(measured, m => Assert.Equal(node.Name, m.Tags["ringcore.node"]));
        Assert.Equal(1, activations.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, passivations.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(siblings.GetMeasurementSnapshot(), m => m.Value == 1);
    }

    [Fact]
    public async Task A_failing_store_is_logged_counted_and_surfaced_to_the_caller_never_swallowed()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        var storage = new BreakableStores();
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 16 }, services: new RingNodeServices { Storage = storage, LoggerFactory = loggerFactory });
        using var storeErrors = new MetricCollector<long>(node.Metrics.Meter, "ringcore.store.errors");
        using var quorumFailures = new MetricCollector<long>(node.Metrics.Meter, "ringcore.quorum.failures");
        using var requests = new MetricCollector<long>(node.Metrics.Meter, "ringcore.requests");

        storage.Broken = true;
        var error = await Assert.ThrowsAsync<QuorumException>(() => node.PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty));
        Assert.Contains("the disk is gone", error.Message, StringComparison.Ordinal);

        Assert.Equal(1, storeErrors.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, quorumFailures.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Contains(requests.GetMeasurementSnapshot(), m => Equals(m.Tags["ringcore.outcome"], "quorum_failed"));
        var records = logs.GetSnapshot();
        Assert.Contains(records, r => r.Id.Id == 3002 && r.Level == LogLevel.Error && r.Exception is NotSupportedException);
        Assert.Contains(records, r => r.Id.Id == 3001 && r.Level == LogLevel.Warning && r.Message.Contains("Put (b/k)", StringComparison.Ordinal));

        storage.Broken = false;
        await node.PutAsync("b", "k", "v"u8.ToArray(), CausalContext.Empty); // the node kept serving
    }

    [Fact]
    public async Task A_WriteBehind_flush_that_keeps_failing_is_logged_with_its_attempt_count_and_the_state_is_kept()
    {
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new FakeLoggerProvider(logs)));
        var storage = new BreakableStores();
        var options = new RingNodeOptions { PartitionCount = 16, Actors = { PassivationSweepInterval = TimeSpan.FromMilliseconds(10) } };
        await using var node = await RingNode.StartAsync(options,
            actors => CounterActor.Define(actors, "lazy", ActorDurability.WriteBehind, idle: TimeSpan.FromMilliseconds(10)),
            new RingNodeServices { Storage = storage, LoggerFactory = loggerFactory });
        var counter = node.GetActor("lazy", "k");
        Assert.Equal(0, await counter.Ask<long>(new CounterActor.Get(), Wait)); // activated (the read works)

        storage.Broken = true;
        counter.Tell(new CounterActor.Increment(5));
        await Eventually(() => logs.GetSnapshot().Count(r => r.Id.Id == 4001) >= 3);
        var attempts = logs.GetSnapshot().Where(r => r.Id.Id == 4001).Select(r => r.StructuredState!.Single(p => p.Key == "Attempt").Value).Take(3).ToArray();
        Assert.Equal(new string?[] { "1", "2", "3" }, attempts);

        storage.Broken = false;
        Assert.Equal(5, await counter.Ask<long>(new CounterActor.Get(), Wait)); // kept in memory all along
        await Eventually(async () => (await node.GetAsync("lazy", "k")).Values.Length == 1);
    }

    private static async Task Eventually(Func<bool> condition) => await Eventually(() => Task.FromResult(condition()));

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(5);
        }
    }

    /// <summary>Memory stores whose writes of replicated objects throw while <see cref="Broken"/> is set.</summary>
    private sealed class BreakableStores : IVNodeStoreProvider
    {
        private readonly MemoryVNodeStoreProvider _inner = new();

        public volatile bool Broken;

        public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
            new Store(await _inner.OpenAsync(partition, cancellationToken), this);

        private sealed class Store(IVNodeStore inner, BreakableStores owner) : IVNodeStore
        {
            public int Partition => inner.Partition;

            public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

            public ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default) =>
                owner.Broken && key.Span[0] == 0x01 ? throw new NotSupportedException("the disk is gone") : inner.PutAsync(key, value, cancellationToken);

            public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

            public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
