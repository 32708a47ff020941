using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Actors;

/// <summary>The measured job of <see cref="TellThroughputBenchmarks"/> and <see cref="AskRoundTripBenchmarks"/>.</summary>
/// <remarks>
/// An invocation sends a million messages (or a thousand round trips), so BenchmarkDotNet's
/// half-second iterations already average millions of messages and 8 iterations give a stable
/// mean; 8 cases at about 15 seconds each keep the two classes near two minutes on 2 cores.
/// No unrolling: an invocation takes milliseconds, so a loop around it costs nothing worth
/// removing, while the default unroll factor of 16 would make every iteration at least 16
/// invocations (seconds for the slower cases) instead of the half second the pilot aims for.
/// The median is listed because the Ask target is stated on it, and operations per second
/// because the mailbox targets and the baselines' known figures are rates (messages per second).
/// </remarks>
public sealed class ActorBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 2 warmup and 8 measured iterations, no unrolling, with the Median and Op/s columns.</summary>
    public ActorBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8).WithUnrollFactor(1).WithId("Actors"))
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
    }
}
