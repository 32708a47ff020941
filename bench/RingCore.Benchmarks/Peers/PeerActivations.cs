using Microsoft.Extensions.Hosting;
using RingCore.Actors;
using RingCore.Benchmarks.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The frameworks of <see cref="PeerActivationMemoryReport"/>, each behind one shape: started with
/// its defaults, then asked to make a reference to each key's idle actor and send it one message.
/// </summary>
internal static class PeerActivations
{
    /// <summary>The framework names the report takes, in the order it runs them.</summary>
    public static readonly string[] Names = ["ringcore", "proto-actor", "akka", "orleans"];

    /// <summary>Starts <paramref name="name"/>'s runtime; its idle actors signal <paramref name="signal"/> once each.</summary>
    public static async Task<IPeerActivation> StartAsync(string name, CompletionSignal signal) => name switch
    {
        "ringcore" => await RingCoreActivation.StartAsync(signal).ConfigureAwait(false),
        "proto-actor" => new ProtoActorActivation(signal),
        "akka" => new AkkaActivation(signal),
        "orleans" => await OrleansActivation.StartAsync(signal).ConfigureAwait(false),
        _ => throw new ArgumentException($"Unknown framework '{name}'; use one of: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>One runtime with a type of idle actor.</summary>
    public interface IPeerActivation : IAsyncDisposable
    {
        /// <summary>What the runtime is and how it is configured, for the report's header.</summary>
        string Description { get; }

        /// <summary>
        /// Makes a reference to the idle actor of each of <paramref name="keys"/> and sends it
        /// <paramref name="message"/>; returns when the last send returned. The references are
        /// dropped on return, so what stays is what the runtime keeps.
        /// </summary>
        void SendFirstMessages(string[] keys, Increment message);
    }

    // IdleActorType on a node with the benchmarks' 64 partitions (the default), Ephemeral.
    private sealed class RingCoreActivation(RingNode node) : IPeerActivation
    {
        public string Description => "RingCore: one node, 64 partitions, Ephemeral actors of IdleActorType (a long state)";

        public static async Task<RingCoreActivation> StartAsync(CompletionSignal signal) =>
            new(await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors => IdleActorType.Register(actors, signal)).ConfigureAwait(false));

        public void SendFirstMessages(string[] keys, Increment message)
        {
            var actors = new ActorRef[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                actors[i] = node.GetActor(IdleActorType.Name, keys[i]);
                actors[i].Tell(message);
            }
        }

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }

    // Root.SpawnNamed with the key as the name (the process registry then finds the actor by
    // key, as RingCore's and Orleans' keys do), then one Send.
    private sealed class ProtoActorActivation(CompletionSignal signal) : IPeerActivation
    {
        private readonly Proto.ActorSystem _system = ProtoActorPeer.Start();
        private readonly Proto.Props _props = Proto.Props.FromProducer(() => new ProtoActorPeer.Idle(signal));

        public string Description => "Proto.Actor: new ActorSystem() (defaults), Root.SpawnNamed(props, key) then Root.Send";

        public void SendFirstMessages(string[] keys, Increment message)
        {
            var root = _system.Root;
            var pids = new Proto.PID[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                pids[i] = root.SpawnNamed(_props, keys[i]);
                root.Send(pids[i], message);
            }
        }

        public async ValueTask DisposeAsync() => await _system.ShutdownAsync().ConfigureAwait(false);
    }

    // ActorOf with the key as the name (a top-level actor under /user), then one Tell.
    private sealed class AkkaActivation(CompletionSignal signal) : IPeerActivation
    {
        private readonly Akka.Actor.ActorSystem _system = AkkaPeer.Start();
        private readonly Akka.Actor.Props _props = Akka.Actor.Props.Create(() => new AkkaPeer.Idle(signal));

        public string Description => "Akka.NET: ActorSystem.Create with no HOCON (defaults), system.ActorOf(props, key) then Tell";

        public void SendFirstMessages(string[] keys, Increment message)
        {
            var actors = new Akka.Actor.IActorRef[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                actors[i] = _system.ActorOf(_props, keys[i]);
                actors[i].Tell(message, Akka.Actor.ActorRefs.NoSender);
            }
        }

        public async ValueTask DisposeAsync() => await _system.Terminate().ConfigureAwait(false);
    }

    // GetGrain by string key, then one one-way call, which activates the grain in the silo.
    private sealed class OrleansActivation(IHost silo) : IPeerActivation
    {
        private readonly IGrainFactory _grains = OrleansPeer.Grains(silo);

        public string Description => "Orleans: one in-process silo (UseLocalhostClustering, defaults), GetGrain<IIdleGrain>(key) then a [OneWay] call";

        public static async Task<OrleansActivation> StartAsync(CompletionSignal signal) =>
            new(await OrleansPeer.StartAsync(new PeerWorkload(signal, MessagesPerKey: 1)).ConfigureAwait(false));

        public void SendFirstMessages(string[] keys, Increment message)
        {
            var grains = new IIdleGrain[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                grains[i] = _grains.GetGrain<IIdleGrain>(keys[i]);
                _ = grains[i].Touch();
            }
        }

        public async ValueTask DisposeAsync() => await OrleansPeer.StopAsync(silo).ConfigureAwait(false);
    }
}
