using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Replication;

/// <summary>The measured job of <see cref="RequestPathBenchmarks"/>.</summary>
/// <remarks>
/// The same shape as <see cref="ReplicationBenchmarkConfig"/> (a quorum round is tens of
/// microseconds), kept as its own class so the before and after figures of the request-path
/// refactor are measured with one unchanged job even if the other replication jobs change.
/// </remarks>
public sealed class RequestPathBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 3 warmup and 10 measured iterations.</summary>
    public RequestPathBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("RequestPath"))
    {
    }
}
