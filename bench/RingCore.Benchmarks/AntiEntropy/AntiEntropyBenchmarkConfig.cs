using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>The measured job of <see cref="HashTreeBuildBenchmarks"/> and <see cref="TreeExchangeBenchmarks"/>.</summary>
/// <remarks>
/// A build takes about a second and an exchange milliseconds, after a setup of several seconds
/// (one or two million-key trees): one launch, two warmups and five iterations answer "well under
/// the target or not" without a run of many minutes on a 2-core machine.
/// </remarks>
public sealed class AntiEntropyBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 2 warmup and 5 measured iterations.</summary>
    public AntiEntropyBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithId("AntiEntropy"))
    {
    }
}
