using BenchmarkDotNet.Running;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The one command of the peer comparison (issue 16): <c>peers</c> runs the three Peers/
/// benchmark classes (Tell throughput, Ask round trip, durable state) in one BenchmarkDotNet run,
/// then <see cref="PeerActivationMemoryReport"/> for every framework.
/// </summary>
/// <remarks>
/// The remaining arguments go to BenchmarkDotNet, so <c>peers --job Dry</c> is the smoke test and
/// <c>peers --filter '*Ask*'</c> narrows the benchmarks (the report still runs; it takes seconds).
/// </remarks>
internal static class PeerSuite
{
    /// <summary>The command-line argument that selects the peer comparison.</summary>
    public const string Argument = "peers";

    /// <summary>Runs the benchmarks with <paramref name="benchmarkArgs"/>, then the activation report.</summary>
    public static async Task<int> RunAsync(string[] benchmarkArgs, TextWriter output)
    {
        string[] args = benchmarkArgs.Contains("--filter") ? benchmarkArgs : ["--filter", "*", .. benchmarkArgs];
        BenchmarkSwitcher.FromTypes(
            [typeof(PeerTellThroughputBenchmarks), typeof(PeerAskRoundTripBenchmarks), typeof(PeerDurableStateBenchmarks)])
            .Run(args);
        output.WriteLine();
        return await PeerActivationMemoryReport.RunAsync([], output).ConfigureAwait(false);
    }
}
