using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Actors;

/// <summary>The measured job of <see cref="ActivationMemoryBenchmarks"/>.</summary>
/// <remarks>
/// One invocation activates a million actors on a node started just for it, which takes seconds,
/// so each iteration is exactly one invocation (a second one would find the actors already active)
/// and 5 iterations after one warmup are enough to tell "about a microsecond" from "about ten".
/// With BenchmarkDotNet's jitting and memory-diagnoser invocations that is 8 invocations, each
/// with a node start and stop around it: about 3 minutes on this 2-core machine, most of the
/// actor suite's time.
/// Op/s is the activation rate the target is stated in.
/// </remarks>
public sealed class ActivationBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 1 warmup and 5 measured iterations of one invocation each, with the Op/s column.</summary>
    public ActivationBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
            .WithInvocationCount(1).WithUnrollFactor(1).WithId("Activation"))
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
