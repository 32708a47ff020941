using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks.Routing;

/// <summary>The measured job of <see cref="RoutingBenchmarks"/>.</summary>
/// <remarks>
/// 36 cases (3 ring sizes x 2 key lengths x 6 methods) at roughly 15 seconds each keep a full run
/// under ten minutes on a 2-core machine. One launch is enough: the cases are nanoseconds long and
/// ten iterations of about half a second each already average millions of calls.
/// </remarks>
public sealed class RoutingBenchmarkConfig : BenchmarkConfig
{
    /// <summary>One launch, 3 warmup and 10 measured iterations.</summary>
    public RoutingBenchmarkConfig()
        : base(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Routing"))
    {
    }
}
