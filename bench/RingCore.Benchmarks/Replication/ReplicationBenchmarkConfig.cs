using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Replication;

/// <summary>The measured job of <see cref="ReplicationBenchmarks"/>.</summary>
/// <remarks>
/// Each operation is a whole quorum round trip through the simulated network and the thread pool
/// (tens of microseconds), so an iteration holds far fewer calls than the clock cases: three
/// warmups and ten iterations on one launch keep the noise of the pool's scheduling visible in
/// the error column while a full run stays near a minute.
/// </remarks>
public sealed class ReplicationBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 3 warmup and 10 measured iterations.</summary>
    public ReplicationBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Replication"))
    {
    }
}
