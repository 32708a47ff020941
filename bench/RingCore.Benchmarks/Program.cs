// The benchmark entry point. BenchmarkSwitcher takes BenchmarkDotNet's own command line, so one
// class or method is picked with --filter, e.g.
//   dotnet run -c Release --project bench/RingCore.Benchmarks -- --filter '*Routing*'
// and a quick smoke test that every case runs is --job Dry (see BenchmarkConfig for why that
// replaces, rather than adds to, the suite's own jobs).
//
// One argument is ours, not BenchmarkDotNet's: "activation-memory" prints the live heap per idle
// actor (see Actors/ActivationMemoryReport), a figure BenchmarkDotNet's allocated column cannot give.
using BenchmarkDotNet.Running;
using RingCore.Benchmarks.Actors;

if (args is [ActivationMemoryReport.Argument])
{
    await ActivationMemoryReport.RunAsync(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
