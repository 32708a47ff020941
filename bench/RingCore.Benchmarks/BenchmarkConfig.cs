using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace RingCore.Benchmarks;

/// <summary>
/// What every benchmark class in the suite shares: how its measured job is registered. Reports
/// come from BenchmarkDotNet's default exporters, which include the GitHub-markdown table
/// (BenchmarkDotNet.Artifacts/results/*-report-github.md) that bench/README.md quotes; adding that
/// exporter again here only earns a "already present in configuration" warning.
/// </summary>
/// <remarks>
/// The job is registered as the <em>default</em> job, not with <c>[SimpleJob]</c>. BenchmarkDotNet
/// unions a job given on the command line (<c>--job Dry</c>, <c>--job Short</c>) with the jobs of
/// <c>[SimpleJob]</c> attributes, so a smoke test would also run the full measurement. A default
/// job is used only when no other job is given, so the command line replaces it, and options like
/// <c>--iterationCount</c> still apply to it.
/// </remarks>
public abstract class BenchmarkConfig : ManualConfig
{
    /// <summary>Sets <paramref name="measuredJob"/> as the job used when the command line names none.</summary>
    protected BenchmarkConfig(Job measuredJob)
    {
        AddJob(measuredJob.AsDefault());
    }
}
