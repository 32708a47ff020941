using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using RingCore.Actors;
using RingCore.Node;

namespace RingCore.Benchmarks.Actors;

/// <summary>
/// The standalone <c>activation-memory</c> mode: activates a million idle actors on one node and
/// prints the managed memory each keeps, measured between forced full collections, with the
/// elapsed time and the activation rate.
/// </summary>
/// <remarks>
/// <para>BenchmarkDotNet's allocated column counts every byte an activation allocates, including
/// what is garbage a moment later; the issue's target (at most 250 bytes per idle actor; an idle
/// Erlang process takes about 2,640) is about what stays. So this mode measures the live heap:
/// <see cref="GC.GetTotalMemory(bool)"/> after compacting full collections, before and after the
/// activations, divided by the actor count.</para>
/// <para>Two figures are printed. "Without its key" keeps the caller's references alive, so the
/// key arrays (shared by the reference and the activation) are counted on neither side. "With its
/// key" is after the caller dropped its references, when the activations alone keep the keys:
/// what a server pays per actor once the request that named it is gone.</para>
/// </remarks>
internal static class ActivationMemoryReport
{
    /// <summary>The command-line argument that selects this mode instead of BenchmarkDotNet.</summary>
    public const string Argument = "activation-memory";

    private const int ActorCount = 1_000_000;

    // Enough to compile the Tell and activation paths before the measured run, so its rate is not
    // a cold start's; small next to the million it precedes.
    private const int WarmupActorCount = 10_000;

    // The issue's target, in managed bytes per idle actor.
    private const int TargetBytesPerActor = 250;

    /// <summary>Runs the measurement and writes the report to <paramref name="output"/>.</summary>
    public static async Task RunAsync(TextWriter output)
    {
        var signal = new CompletionSignal();
        var increment = new Increment();
        var options = new RingNodeOptions { PartitionCount = 64 };

        await using (var warmup = await RingNode.StartAsync(options, actors => IdleActorType.Register(actors, signal)))
        {
            ActivateAll(ActorKeys.Create(warmup, IdleActorType.Name, WarmupActorCount), increment, signal, Stopwatch.StartNew());
        }

        await using var node = await RingNode.StartAsync(options, actors => IdleActorType.Register(actors, signal));
        long beforeReferences = LiveHeapBytes();
        var run = ActivateMillion(node, increment, signal);
        long afterDroppingReferences = LiveHeapBytes(); // the references died with ActivateMillion's frame
        var (beforeActivation, afterActivation, sent, elapsed, allocated, paused, gen0, gen1, gen2) = run;

        int active = node.ActiveActors;
        if (active != ActorCount)
        {
            throw new InvalidOperationException($"{active} actors are active, not {ActorCount}: the figures below would be per the wrong count.");
        }

        double withoutKey = (double)(afterActivation - beforeActivation) / ActorCount;
        double withKey = (double)(afterDroppingReferences - beforeReferences) / ActorCount;
        double seconds = elapsed.TotalSeconds;
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture,
            $"activation-memory: {ActorCount:N0} idle Ephemeral actors on one node ({options.PartitionCount} partitions, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, {Environment.ProcessorCount} cores)"));
        output.WriteLine(string.Create(culture, $"  elapsed                     {seconds:N3} s (first Tell to every actor, until each has handled it)"));
        output.WriteLine(string.Create(culture,
            $"  of which sending            {sent.TotalSeconds:N3} s (until the last Tell returned; the rest is waiting for first turns)"));
        output.WriteLine(string.Create(culture,
            $"  of which GC pauses          {paused.TotalSeconds:N3} s ({gen0} gen0, {gen1} gen1, {gen2} gen2 collections; the heap grows by every actor kept)"));
        output.WriteLine(string.Create(culture, $"  activation rate             {ActorCount / seconds:N0} actors/s"));
        output.WriteLine(string.Create(culture, $"  allocated per activation    {(double)allocated / ActorCount:N0} bytes"));
        output.WriteLine(string.Create(culture, $"  live heap per idle actor    {withoutKey:N0} bytes without its key (the caller still holds its ActorRef)"));
        output.WriteLine(string.Create(culture, $"  live heap per idle actor    {withKey:N0} bytes with its key (the caller dropped its ActorRefs)"));
        output.WriteLine(string.Create(culture,
            $"  target                      at most {TargetBytesPerActor} bytes per idle actor (an idle Erlang process: about 2,640): {(withKey <= TargetBytesPerActor ? "met" : "missed")}"));
    }

    // Makes the references, activates every actor and measures, all in one frame: once it
    // returns nothing can hold the references (an async method's state machine may keep a spilled
    // copy alive, which made an earlier version count the references as the actors' memory).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (long BeforeActivation, long AfterActivation, TimeSpan Sent, TimeSpan Elapsed, long Allocated, TimeSpan Paused, int Gen0, int Gen1, int Gen2)
        ActivateMillion(RingNode node, Increment increment, CompletionSignal signal)
    {
        var actors = ActorKeys.Create(node, IdleActorType.Name, ActorCount);
        long beforeActivation = LiveHeapBytes();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var pausedBefore = GC.GetTotalPauseDuration();
        int gen0Before = GC.CollectionCount(0), gen1Before = GC.CollectionCount(1), gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        var sent = ActivateAll(actors, increment, signal, clock);
        clock.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        int gen0 = GC.CollectionCount(0) - gen0Before, gen1 = GC.CollectionCount(1) - gen1Before, gen2 = GC.CollectionCount(2) - gen2Before;
        long afterActivation = LiveHeapBytes();
        GC.KeepAlive(actors);
        return (beforeActivation, afterActivation, sent, clock.Elapsed, allocated, paused, gen0, gen1, gen2);
    }

    // Returns when the last Tell returned, on the sender's clock: the Tells create the
    // activations (the vnode's GetOrAdd runs on the sender), the thread pool then runs their first
    // turns, so the split says which side an activation's time is spent on.
    private static TimeSpan ActivateAll(ActorRef[] actors, Increment message, CompletionSignal signal, Stopwatch clock)
    {
        signal.Expect(actors.Length);
        for (int i = 0; i < actors.Length; i++)
        {
            actors[i].Tell(message);
        }

        var sent = clock.Elapsed;
        signal.Wait();
        return sent;
    }

    // Twice, with finalizers in between, so objects a finalizer released are gone too; compacting,
    // so the figure is live objects and not free space between them.
    private static long LiveHeapBytes()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
