using BenchmarkDotNet.Attributes;
using RingCore.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// What activating an actor costs: a million actors, each sent its first message on a node that
/// has none active, timed until every one has handled it. The method reports ONE activation; the
/// Op/s column is the activation rate.
/// </summary>
/// <remarks>
/// <para>Target (the actor mailbox issue): at most 250 bytes of managed memory per idle actor (an
/// idle Erlang process takes about 2,640). The allocated column is the bytes allocated per
/// activation, which bounds what an idle actor keeps from above but also counts what was freed
/// again; the bytes actually retained come from <see cref="ActivationMemoryReport"/>
/// (<c>-- activation-memory</c>), which forces full collections around the same activations.</para>
/// <para>Each iteration gets a fresh node and fresh actor references in <c>[IterationSetup]</c>
/// (neither timed nor counted as allocated), so every message of the invocation activates an
/// actor; the node is stopped in <c>[IterationCleanup]</c>.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(ActivationBenchmarkConfig))]
public class ActivationMemoryBenchmarks
{
    /// <summary>Actors activated per invocation.</summary>
    public const int ActorCount = 1_000_000;

    private readonly Increment _increment = new();
    private readonly CompletionSignal _signal = new();

    // Set by StartNode before each iteration.
    private RingNode? _node;
    private ActorRef[] _actors = [];

    /// <summary>Starts a node with no active actor and makes references to a million actors on it.</summary>
    [IterationSetup]
    public void StartNode()
    {
        _node = RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors => IdleActorType.Register(actors, _signal))
            .GetAwaiter().GetResult();
        _actors = ActorKeys.Create(_node, IdleActorType.Name, ActorCount);
    }

    /// <summary>Stops the node, passivating every actor.</summary>
    [IterationCleanup]
    public void StopNode()
    {
        _node?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _node = null;
        _actors = [];
    }

    /// <summary>Tells each of a million inactive actors one message and waits until all have handled it.</summary>
    [Benchmark(OperationsPerInvoke = ActorCount)]
    public void ActivateIdleActors()
    {
        _signal.Expect(ActorCount);
        var actors = _actors;
        var message = _increment;
        for (int i = 0; i < actors.Length; i++)
        {
            actors[i].Tell(message);
        }

        _signal.Wait();
    }
}
