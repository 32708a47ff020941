using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Claim;

/// <summary>The measured job of <see cref="ClaimBenchmarks"/>.</summary>
/// <remarks>
/// A claim takes milliseconds, not nanoseconds, so a handful of iterations gives a stable mean;
/// the question the numbers answer is "well under a second or not", not a 1% difference.
/// </remarks>
public sealed class ClaimBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 2 warmup and 5 measured iterations.</summary>
    public ClaimBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithId("Claim"))
    {
    }
}
