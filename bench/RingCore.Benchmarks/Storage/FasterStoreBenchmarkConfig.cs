using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Storage;

/// <summary>The job of <see cref="FasterStoreBenchmarks"/>: disk-bound operations of milliseconds, so no unrolling and few iterations.</summary>
public sealed class FasterStoreBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 2 warmup and 10 measured iterations, no unrolling, with the Median and Op/s columns.</summary>
    public FasterStoreBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10).WithUnrollFactor(1).WithId("FasterStore"))
    {
        AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
    }
}
