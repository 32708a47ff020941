// The benchmark entry point. BenchmarkSwitcher takes BenchmarkDotNet's own command line, so one
// class or method is picked with --filter, e.g.
//   dotnet run -c Release --project bench/RingCore.Benchmarks -- --filter '*Routing*'
// and a quick smoke test that every case runs is --job Dry (see BenchmarkConfig for why that
// replaces, rather than adds to, the suite's own jobs).
//
// Three arguments are ours, not BenchmarkDotNet's. "activation-memory" prints the live heap per idle
// actor (see Actors/ActivationMemoryReport), a figure BenchmarkDotNet's allocated column cannot give.
// "peer-activation-memory [framework]" does the same for RingCore and its peers (Peers/), and
// "peers [BenchmarkDotNet options]" runs every peer comparison: the Peers/ benchmark classes,
// then that report (see Peers/PeerSuite). "exchange-bytes" prints the requests and bytes of one
// anti-entropy exchange between two million-key trees (see AntiEntropy/ExchangeBytesReport).
using BenchmarkDotNet.Running;
using RingCore.Benchmarks.Actors;
using RingCore.Benchmarks.AntiEntropy;
using RingCore.Benchmarks.Peers;

if (args is [ActivationMemoryReport.Argument])
{
    await ActivationMemoryReport.RunAsync(Console.Out);
    return 0;
}

if (args is [PeerActivationMemoryReport.Argument, .. var frameworks])
{
    return await PeerActivationMemoryReport.RunAsync(frameworks, Console.Out);
}

if (args is [ExchangeBytesReport.Argument])
{
    await ExchangeBytesReport.RunAsync(Console.Out);
    return 0;
}

if (args is [PeerSuite.Argument, .. var benchmarkArgs])
{
    return await PeerSuite.RunAsync(benchmarkArgs, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
