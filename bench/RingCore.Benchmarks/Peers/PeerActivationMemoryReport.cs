using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.CompilerServices;
using RingCore.Benchmarks.Actors;

namespace RingCore.Benchmarks.Peers;

/// <summary>
/// The standalone <c>peer-activation-memory</c> mode (issue 16, point 3): 100,000 idle actors
/// activated by one message each, in RingCore, Proto.Actor, Akka.NET and Orleans; prints the
/// managed memory each idle actor keeps, the activation rate and the bytes allocated per activation.
/// </summary>
/// <remarks>
/// <para>The method of <see cref="ActivationMemoryReport"/>: the live heap
/// (<see cref="GC.GetTotalMemory(bool)"/> after compacting full collections) before and after the
/// activations, divided by the actor count. The figure is the one "with its key": the keys are
/// made, used and dropped inside one synchronous method, so whatever a runtime keeps of a key (a
/// copy, the string itself as an actor's name) is counted, and the caller's references are not.</para>
/// <para>An activation is what a user writes to reach a keyed actor for the first time: RingCore
/// <c>GetActor(type, key)</c> and a Tell; Orleans <c>GetGrain(key)</c> and a one-way call; the
/// two frameworks without virtual actors in their core package spawn a named actor
/// (<c>Root.SpawnNamed</c>, <c>ActorOf</c>) and send it the message. The clock runs from the first
/// reference until every actor has handled its message. Each runtime first activates 10,000
/// actors of other keys, so its code is compiled and its tables warm; they stay active and are
/// part of the "before" heap.</para>
/// <para>Without a framework name the mode runs each framework in a process of its own (this
/// executable again, with the name), so no runtime's threads, caches or leftovers sit in another's
/// heap, and ends with a table of the four.</para>
/// </remarks>
internal static class PeerActivationMemoryReport
{
    /// <summary>The command-line argument that selects this mode instead of BenchmarkDotNet.</summary>
    public const string Argument = "peer-activation-memory";

    /// <summary>Idle actors activated per framework.</summary>
    public const int ActorCount = 100_000;

    private const int WarmupActorCount = 10_000;

    // The line a child process ends with, read back by the parent for the table.
    private const string RowPrefix = "row\t";

    /// <summary>
    /// Runs the report for the frameworks in <paramref name="frameworks"/> (all when empty): one
    /// framework in this process, several each in a child process.
    /// </summary>
    public static async Task<int> RunAsync(string[] frameworks, TextWriter output)
    {
        if (frameworks is [var only])
        {
            await MeasureAsync(only, output).ConfigureAwait(false);
            return 0;
        }

        var names = frameworks.Length == 0 ? PeerActivations.Names : frameworks;
        var rows = new List<string[]>();
        foreach (var name in names)
        {
            var (exitCode, row) = await RunChildAsync(name, output).ConfigureAwait(false);
            if (exitCode != 0 || row is null)
            {
                output.WriteLine($"{Argument} {name}: the child process failed (exit code {exitCode}).");
                return exitCode == 0 ? 1 : exitCode;
            }

            rows.Add(row);
        }

        WriteTable(rows, output);
        return 0;
    }

    private static async Task MeasureAsync(string name, TextWriter output)
    {
        var signal = new CompletionSignal();
        var increment = new Increment();
        await using var runtime = await PeerActivations.StartAsync(name, signal).ConfigureAwait(false);
        Activate(runtime, Keys("warm", WarmupActorCount), increment, signal);

        long before = LiveHeapBytes();
        var (sent, elapsed, allocated, paused, gen0, gen1, gen2) = ActivateMeasured(runtime, increment, signal);
        long after = LiveHeapBytes(); // the keys and references died with ActivateMeasured's frame

        double perActor = (double)(after - before) / ActorCount;
        double rate = ActorCount / elapsed.TotalSeconds;
        double allocatedPerActivation = (double)allocated / ActorCount;
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture,
            $"{Argument} {name}: {ActorCount:N0} idle actors ({(GCSettings.IsServerGC ? "server" : "workstation")} GC, {Environment.ProcessorCount} cores)"));
        output.WriteLine($"  runtime                     {runtime.Description}");
        output.WriteLine(string.Create(culture, $"  elapsed                     {elapsed.TotalSeconds:N3} s (first reference until every actor has handled its message)"));
        output.WriteLine(string.Create(culture, $"  of which sending            {sent.TotalSeconds:N3} s (until the last send returned)"));
        output.WriteLine(string.Create(culture,
            $"  of which GC pauses          {paused.TotalSeconds:N3} s ({gen0} gen0, {gen1} gen1, {gen2} gen2 collections)"));
        output.WriteLine(string.Create(culture, $"  activation rate             {rate:N0} actors/s"));
        output.WriteLine(string.Create(culture, $"  allocated per activation    {allocatedPerActivation:N0} bytes"));
        output.WriteLine(string.Create(culture, $"  live heap per idle actor    {perActor:N0} bytes with its key"));
        output.WriteLine(string.Create(culture, $"{RowPrefix}{name}\t{perActor:F1}\t{rate:F0}\t{allocatedPerActivation:F1}"));
    }

    // Makes the keys, activates and measures, all in one frame: once it returns nothing holds the
    // keys or the references (see ActivationMemoryReport for why not an async method).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TimeSpan Sent, TimeSpan Elapsed, long Allocated, TimeSpan Paused, int Gen0, int Gen1, int Gen2)
        ActivateMeasured(PeerActivations.IPeerActivation runtime, Increment increment, CompletionSignal signal)
    {
        var keys = Keys("key", ActorCount);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var pausedBefore = GC.GetTotalPauseDuration();
        int gen0Before = GC.CollectionCount(0), gen1Before = GC.CollectionCount(1), gen2Before = GC.CollectionCount(2);
        var clock = Stopwatch.StartNew();
        var sent = Activate(runtime, keys, increment, signal);
        var elapsed = clock.Elapsed;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        return (sent, elapsed, allocated, paused,
            GC.CollectionCount(0) - gen0Before, GC.CollectionCount(1) - gen1Before, GC.CollectionCount(2) - gen2Before);
    }

    private static TimeSpan Activate(PeerActivations.IPeerActivation runtime, string[] keys, Increment message, CompletionSignal signal)
    {
        var clock = Stopwatch.StartNew();
        signal.Expect(keys.Length);
        runtime.SendFirstMessages(keys, message);
        var sent = clock.Elapsed;
        signal.Wait();
        return sent;
    }

    // "key-0000000", ...: the keys of ActorKeys and PeerKeys, as strings every framework takes.
    private static string[] Keys(string prefix, int count)
    {
        var keys = new string[count];
        for (int i = 0; i < count; i++)
        {
            keys[i] = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{i:D7}");
        }

        return keys;
    }

    // As in ActivationMemoryReport: twice, with finalizers in between, compacting.
    private static long LiveHeapBytes()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<(int ExitCode, string[]? Row)> RunChildAsync(string name, TextWriter output)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown; run one framework at a time.");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            // Started as "dotnet RingCore.Benchmarks.dll": the child needs the assembly too.
            start.ArgumentList.Add(typeof(PeerActivationMemoryReport).Assembly.Location);
        }

        start.ArgumentList.Add(Argument);
        start.ArgumentList.Add(name);
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
        string[]? row = null;
        while (await child.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith(RowPrefix, StringComparison.Ordinal))
            {
                row = line[RowPrefix.Length..].Split('\t');
            }
            else
            {
                output.WriteLine(line);
            }
        }

        await child.WaitForExitAsync().ConfigureAwait(false);
        return (child.ExitCode, row);
    }

    // Ratios against RingCore's row, each stated so that above 1.00 means RingCore is ahead.
    private static void WriteTable(List<string[]> rows, TextWriter output)
    {
        var culture = CultureInfo.InvariantCulture;
        var ringCore = rows.Find(row => row[0] == "ringcore");
        output.WriteLine();
        output.WriteLine(string.Create(culture, $"{ActorCount:N0} idle actors, one message each:"));
        output.WriteLine();
        output.WriteLine("| Framework | Live heap per idle actor | Peer / RingCore | Activations/s | RingCore / peer | Allocated per activation |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            double bytes = double.Parse(row[1], culture), rate = double.Parse(row[2], culture), allocated = double.Parse(row[3], culture);
            string memoryRatio = ringCore is null ? "" : (bytes / double.Parse(ringCore[1], culture)).ToString("N2", culture);
            string rateRatio = ringCore is null ? "" : (double.Parse(ringCore[2], culture) / rate).ToString("N2", culture);
            output.WriteLine(string.Create(culture, $"| {row[0]} | {bytes:N0} B | {memoryRatio} | {rate:N0} | {rateRatio} | {allocated:N0} B |"));
        }
    }
}
