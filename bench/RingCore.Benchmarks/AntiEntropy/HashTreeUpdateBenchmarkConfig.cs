using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.AntiEntropy;

/// <summary>The measured job of <see cref="HashTreeUpdateBenchmarks"/>.</summary>
/// <remarks>
/// Each invocation is a batch of <see cref="HashTreeUpdateBenchmarks.Batch"/> operations on the
/// million-key tree (about a millisecond), run once per iteration: inserting new keys needs
/// them removed again between iterations (<c>[IterationCleanup]</c>), which only one invocation
/// per iteration allows. Five warmups and twenty iterations keep a class near a minute.
/// </remarks>
public sealed class HashTreeUpdateBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 5 warmup and 20 measured iterations of one invocation each.</summary>
    public HashTreeUpdateBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(20).WithInvocationCount(1).WithUnrollFactor(1).WithId("TreeUpdate"))
    {
    }
}
