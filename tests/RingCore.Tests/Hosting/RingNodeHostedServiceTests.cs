using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RingCore.Actors;
using RingCore.Hosting;
using RingCore.Node;
using RingCore.Storage;

namespace RingCore.Tests.Hosting;

public sealed class RingNodeHostedServiceTests
{
    private static readonly Dictionary<string, string?> SixteenPartitions = new() { ["RingCore:PartitionCount"] = "16" };

    [Fact]
    public async Task The_host_start_starts_the_node_and_the_host_stop_disposes_it()
    {
        var storage = new CountingStoreProvider();
        using var host = TestHosts.Build(SixteenPartitions, ring => ring
            .UseStorage(storage)
            .AddActors(actors => TestHosts.DefineCounter(actors, "counter", ActorDurability.WriteThrough)));
        var accessor = host.Services.GetRequiredService<IRingNodeAccessor>();
        var waiting = accessor.GetNodeAsync();

        var early = Assert.Throws<InvalidOperationException>(() => accessor.Node);
        Assert.Contains("not started", early.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<RingNode>());
        Assert.False(waiting.IsCompleted);

        await host.StartAsync();

        var node = accessor.Node;
        Assert.Same(node, await waiting.WaitAsync(TestHosts.Wait));
        Assert.Same(node, host.Services.GetRequiredService<RingNode>());
        Assert.Equal(1, storage.Attached); // the storage checked before the host's start completed
        Assert.Equal(0, storage.Opened);   // each store opens when first needed
        Assert.Equal(3, await node.GetActor("counter", "k").Ask<long>(new TestHosts.Add(3), TestHosts.Wait));
        Assert.Equal(1, storage.Opened);
        Assert.Equal(1, node.ActiveActors);

        await host.StopAsync();

        Assert.Equal(0, node.ActiveActors);                 // passivated
        Assert.Equal(storage.Opened, storage.Closed);       // every store closed
        Assert.Throws<ObjectDisposedException>(() => node.GetActor("counter", "k").Tell(new TestHosts.Add(1)));
        var late = Assert.Throws<InvalidOperationException>(() => accessor.Node);
        Assert.Contains("stopped", late.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => accessor.GetNodeAsync());
    }

    [Fact]
    public async Task A_WriteThrough_actor_keeps_its_state_through_a_host_restart_on_the_same_storage()
    {
        var storage = new MemoryVNodeStoreProvider();
        await RunHost(storage, async node =>
        {
            var counter = node.GetActor("counter", "durable");
            await counter.Ask<long>(new TestHosts.Add(40), TestHosts.Wait);
            Assert.Equal(42, await counter.Ask<long>(new TestHosts.Add(2), TestHosts.Wait));
        });

        long afterRestart = 0;
        await RunHost(storage, async node => afterRestart = await node.GetActor("counter", "durable").Ask<long>(new TestHosts.Get(), TestHosts.Wait));
        Assert.Equal(42, afterRestart);

        // The control: a host on storage of its own starts from nothing.
        long elsewhere = -1;
        await RunHost(new MemoryVNodeStoreProvider(), async node => elsewhere = await node.GetActor("counter", "durable").Ask<long>(new TestHosts.Get(), TestHosts.Wait));
        Assert.Equal(0, elsewhere);
    }

    [Fact]
    public async Task The_host_stop_passivates_WriteBehind_actors_so_their_state_is_stored()
    {
        var storage = new MemoryVNodeStoreProvider();
        var rarely = new Dictionary<string, string?>(SixteenPartitions) { ["RingCore:Actors:WriteBehindInterval"] = "01:00:00" };
        await RunHost(storage, async node => await node.GetActor("lazy", "k").Ask<long>(new TestHosts.Add(7), TestHosts.Wait), rarely,
            ActorDurability.WriteBehind, "lazy");

        long afterRestart = 0;
        await RunHost(storage, async node => afterRestart = await node.GetActor("lazy", "k").Ask<long>(new TestHosts.Get(), TestHosts.Wait), rarely,
            ActorDurability.WriteBehind, "lazy");
        Assert.Equal(7, afterRestart);
    }

    [Fact]
    public async Task UseStorage_replaces_the_memory_default_with_the_given_provider()
    {
        var storage = new CountingStoreProvider();
        int keysAtStart = -1;
        await RunHost(storage, async node =>
        {
            keysAtStart = await storage.CountKeysAsync(16);
            await node.GetActor("counter", "k").Ask<long>(new TestHosts.Add(1), TestHosts.Wait);
        });

        Assert.Equal(1, storage.Attached);
        Assert.InRange(storage.Opened, 1, 15); // the partitions the actor used, not every one
        Assert.Equal(storage.Opened, storage.Closed);
        // The actor's state went to this provider, beside the epoch each opened vnode stores.
        Assert.Equal(keysAtStart + storage.Opened + 1, await storage.CountKeysAsync(16));
    }

    [Fact]
    public async Task UseStorage_with_a_factory_builds_the_provider_from_the_hosts_services()
    {
        using var host = TestHosts.Build(SixteenPartitions,
            ring => ring.UseStorage(services => services.GetRequiredService<CountingStoreProvider>()),
            builder => builder.Services.AddSingleton<CountingStoreProvider>());
        await host.StartAsync();

        var storage = host.Services.GetRequiredService<CountingStoreProvider>();
        Assert.Same(storage, host.Services.GetRequiredService<IVNodeStoreProvider>());
        Assert.Equal(1, storage.Attached);
        await host.Services.GetRequiredService<RingNode>().GetAsync("b", "k");
        await host.StopAsync();
        Assert.Equal(1, storage.Opened);
        Assert.Equal(1, storage.Closed);
    }

    [Fact]
    public async Task Actor_types_may_take_services_from_the_host()
    {
        using var host = TestHosts.Build(SixteenPartitions,
            ring => ring.AddActors((actors, services) =>
            {
                var greeting = services.GetRequiredService<Greeting>();
                actors.Add<int>("greeter", type => type
                    .InitialState(_ => 0)
                    .On<string, string>((state, name, _) => (state, $"{greeting.Text}, {name}")));
            }),
            builder => builder.Services.AddSingleton(new Greeting("Hello")));
        await host.StartAsync();

        var node = host.Services.GetRequiredService<RingNode>();
        Assert.Equal("Hello, Ada", await node.GetActor("greeter", "k").Ask<string>("Ada", TestHosts.Wait));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_node_that_cannot_start_fails_the_host_start_and_whoever_waits_for_it()
    {
        using var host = TestHosts.Build(SixteenPartitions, ring => ring
            .AddActors(actors => TestHosts.DefineCounter(actors, "counter", ActorDurability.WriteThrough))
            .AddActors(actors => TestHosts.DefineCounter(actors, "counter", ActorDurability.Ephemeral)));
        var accessor = host.Services.GetRequiredService<IRingNodeAccessor>();
        var waiting = accessor.GetNodeAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => host.StartAsync());

        Assert.Contains("'counter' is defined twice", error.Message, StringComparison.Ordinal);
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
        Assert.Same(error, failed.InnerException);
        Assert.Throws<InvalidOperationException>(() => accessor.Node);
    }

    [Fact]
    public async Task Disposing_a_host_that_was_never_stopped_still_stops_the_node_and_closes_its_stores()
    {
        var storage = new CountingStoreProvider();
        var host = TestHosts.Build(SixteenPartitions, ring => ring
            .UseStorage(storage)
            .AddActors(actors => TestHosts.DefineCounter(actors, "counter", ActorDurability.WriteThrough)));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<RingNode>();
        Assert.Equal(1, await node.GetActor("counter", "k").Ask<long>(new TestHosts.Add(1), TestHosts.Wait));

        host.Dispose();

        Assert.Equal(1, storage.Opened); // the actor's partition
        Assert.Equal(1, storage.Closed);
        Assert.Equal(0, node.ActiveActors);
        Assert.Throws<ObjectDisposedException>(() => node.GetActor("counter", "k").Tell(new TestHosts.Add(1)));
    }

    [Fact]
    public async Task The_node_logs_and_measures_through_the_hosts_factories()
    {
        var logs = new CapturingLoggerProvider();
        using var host = TestHosts.Build(SixteenPartitions, more: builder => builder.Logging.AddProvider(logs));
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        var scopes = new List<object?>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "RingCore")
                {
                    lock (scopes)
                    {
                        scopes.Add(instrument.Meter.Scope);
                    }
                }
            },
        };
        listener.Start();

        await host.StartAsync();
        await host.StopAsync();

        Assert.Contains(logs.Messages, m => m.StartsWith("Node local started: ring of 16 partitions", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m == "Node local stopped");
        lock (scopes)
        {
            Assert.Contains(meterFactory, scopes);
        }
    }

    private static async Task RunHost(IVNodeStoreProvider storage, Func<RingNode, Task> body, Dictionary<string, string?>? configuration = null,
        ActorDurability durability = ActorDurability.WriteThrough, string typeName = "counter")
    {
        using var host = TestHosts.Build(configuration ?? SixteenPartitions, ring => ring
            .UseStorage(storage)
            .AddActors(actors => TestHosts.DefineCounter(actors, typeName, durability)));
        await host.StartAsync();
        await body(host.Services.GetRequiredService<RingNode>());
        await host.StopAsync();
    }

    private sealed record Greeting(string Text);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (provider._messages)
                {
                    provider._messages.Add(formatter(state, exception));
                }
            }
        }
    }
}
