using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Clocks;

/// <summary>The measured job of <see cref="ClockBenchmarks"/>.</summary>
/// <remarks>
/// 12 cases of nanoseconds each: like routing, one launch with ten iterations of about half a
/// second already averages millions of calls, and keeps a full run near three minutes on a
/// 2-core machine.
/// </remarks>
public sealed class ClockBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 3 warmup and 10 measured iterations.</summary>
    public ClockBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Clocks"))
    {
    }
}
