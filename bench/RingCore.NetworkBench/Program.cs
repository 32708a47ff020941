using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using RingCore.Actors;
using RingCore.Claim;
using RingCore.Daemon.Actors;
using RingCore.Grpc;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Ring;
using RingCore.Transport;
using CounterGet = RingCore.Daemon.Actors.Counter.Get;
using TallyAdd = RingCore.Daemon.Actors.Tally.Add;
using TallyGet = RingCore.Daemon.Actors.Tally.Get;

// The network benchmarks of issue 15 (bench/README.md, "The network"): two nodes in two processes
// on loopback (this process embeds node a as ringd does: GrpcTransport and RingNode; node b is a
// ringd), against the same work on the simulated network in this process, in the same run.
//   dotnet run -c Release --project bench/RingCore.NetworkBench -- [--seconds 10] [--callers 64] [--tells 1000000] [--handoff-mb 100] [--kills 5] [--senders 1]
var settings = Settings.Parse(args);
Console.WriteLine($"RingCore network benchmark: {Environment.ProcessorCount} cores, {settings}");
var rows = new List<string[]>();

foreach (var network in new[] { "simulated", "grpc" })
{
    await using (var pair = network == "simulated" ? await Pair.SimulatedAsync() : await Pair.GrpcAsync(settings))
    {
        var asks = await Measure.AsksAsync(pair, settings);
        rows.Add([network, $"actor asks, {settings.Callers} callers", $"{asks.PerSecond:N0}/s", $"p50 {asks.P50Us:N0} us, p99 {asks.P99Us:N0} us", $"{asks.Count:N0} asks in {asks.Elapsed.TotalSeconds:N1} s"]);
        Console.WriteLine(string.Join(" | ", rows[^1]));
        var tells = await Measure.TellsAsync(pair, settings);
        rows.Add([network, $"actor tells, streamed, {settings.Senders} sender(s)", $"{tells.PerSecond:N0}/s", "", $"{tells.Count:N0} tells in {tells.Elapsed.TotalSeconds:N2} s, {tells.Handled:N0} handled"]);
        Console.WriteLine(string.Join(" | ", rows[^1]));
        var down = await Measure.KillToDownAsync(pair, settings);
        rows.Add([network, network == "grpc" ? "SIGKILL to down" : "crash to down", $"median {down.Median.TotalMilliseconds:N0} ms", $"max {down.Max.TotalMilliseconds:N0} ms", $"{down.Count} kills"]);
        Console.WriteLine(string.Join(" | ", rows[^1]));
    }

    var handoff = await Measure.HandoffAsync(network, settings);
    rows.Add([network, "handoff (b joins a)", $"{handoff.MegabytesPerSecond:N1} MB/s", "", $"{handoff.Bytes / 1e6:N1} MB, {handoff.Objects:N0} objects in {handoff.Elapsed.TotalSeconds:N1} s"]);
    Console.WriteLine(string.Join(" | ", rows[^1]));
}

Console.WriteLine();
Console.WriteLine("| Network | Measure | Rate | Latency | Run |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var row in rows)
{
    Console.WriteLine($"| {string.Join(" | ", row)} |");
}

internal sealed record Settings(int Seconds, int Callers, int Tells, int HandoffMegabytes, int Kills, int Senders)
{
    public static Settings Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new Settings(Get("--seconds", 10), Get("--callers", 64), Get("--tells", 1_000_000), Get("--handoff-mb", 100), Get("--kills", 5), Get("--senders", 1));
    }
}

/// <summary>Node a (in this process) and node b (in this process on the simulated network, or a ringd on loopback), joined, N = 1.</summary>
internal sealed class Pair : IAsyncDisposable
{
    public const string Secret = "network-bench-secret";
    public const int PartitionCount = 64;

    private readonly Func<Task> _kill;
    private readonly Func<Task> _restart;
    private readonly Func<ValueTask> _dispose;

    private Pair(RingNode a, string b, Func<Task> kill, Func<Task> restart, Func<ValueTask> dispose)
    {
        A = a;
        B = b;
        _kill = kill;
        _restart = restart;
        _dispose = dispose;
    }

    public RingNode A { get; }

    public string B { get; }

    public static RingNodeOptions Options(string name) => new()
    {
        NodeName = name,
        PartitionCount = PartitionCount,
        Replication = new ReplicationOptions { DefaultBucket = new BucketProperties { N = 1, R = 1, W = 1 } },
    };

    public static async Task<Pair> SimulatedAsync()
    {
        var network = new SimulatedNetwork(1, TimeProvider.System);
        var ring = RingClaim.Initial(PartitionCount, ["a", "b"]).Ring;
        var a = await RingNode.StartAsync(Options("a"), ring, network.Connect("a"), BuiltInActors.Define);
        RingNode? b = await RingNode.StartAsync(Options("b"), ring, network.Connect("b"), BuiltInActors.Define);
        return new Pair(a, "b",
            kill: () =>
            {
                network.Crash("b");
                return Task.CompletedTask;
            },
            restart: () => throw new NotSupportedException("one crash on the simulated network"),
            dispose: async () =>
            {
                await a.DisposeAsync();
                await b.DisposeAsync();
            });
    }

    public static async Task<Pair> GrpcAsync(Settings settings)
    {
        var directory = Directory.CreateTempSubdirectory("ringcore-netbench-");
        int[] ports = FreePorts(2);
        string bName = $"b@127.0.0.1:{ports[1]}";
        Process StartB() => Ringd.Start(directory.FullName, "--name", bName, "--storage", "Memory", "--secret", Secret,
            "--ring-size", PartitionCount.ToString(CultureInfo.InvariantCulture), "--n-val", "1");
        var b = StartB();
        GrpcTransport transport;
        RingNode a;
        try
        {
            await Ringd.WaitListeningAsync(ports[1]);
            transport = await GrpcTransport.StartAsync(new GrpcTransportOptions { NodeName = $"a@127.0.0.1:{ports[0]}", ClusterSecret = Secret });
            a = await RingNode.StartAsync(Options(transport.LocalNode), RingClaim.Initial(PartitionCount, [transport.LocalNode]).Ring, transport, BuiltInActors.Define);
            await a.JoinAsync(bName);
            await Admin.CommitAsync(ports[1]); // b is the claimant: a joining node cannot commit
            await Wait.UntilAsync(() => a.Ring.Transfers.IsEmpty && a.Ring.Members.Length == 2 && a.Ring.Members.All(m => m.Status == MemberStatus.Valid), TimeSpan.FromMinutes(2));
        }
        catch
        {
            b.Kill();
            throw;
        }

        return new Pair(a, bName,
            kill: () =>
            {
                b.Kill();
                b.WaitForExit();
                return Task.CompletedTask;
            },
            restart: async () =>
            {
                b.Dispose();
                b = StartB();
                await Ringd.WaitListeningAsync(ports[1]);
            },
            dispose: async () =>
            {
                await a.DisposeAsync();
                await transport.DisposeAsync();
                if (!b.HasExited)
                {
                    b.Kill();
                    b.WaitForExit();
                }

                b.Dispose();
                directory.Delete(recursive: true);
            });
    }

    public Task KillBAsync() => _kill();

    public Task RestartBAsync() => _restart();

    public ValueTask DisposeAsync() => _dispose();

    /// <summary>Keys whose actor of <paramref name="type"/> node a routes to b: every message crosses the network.</summary>
    public string[] KeysOnB(string type, int count) =>
        [.. Enumerable.Range(0, int.MaxValue).Select(i => $"k{i}").Where(key => A.HostOf(A.GetActor(type, key)) == B).Take(count)];

    public bool SeesBUp() => A.GetClusterStatus().Members.Single(m => m.Name == B).Reachable;

    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        int[] ports = [.. listeners.Select(l => ((System.Net.IPEndPoint)l.LocalEndpoint).Port)];
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}

internal static class Measure
{
    public sealed record Asks(long Count, TimeSpan Elapsed, double P50Us, double P99Us)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;
    }

    /// <summary>Tells sent, and handled (the tallies' sum): a tell is at most once, and here nothing is lost unless a defect loses it.</summary>
    public sealed record Tells(long Count, long Handled, TimeSpan Elapsed)
    {
        public double PerSecond => Handled / Elapsed.TotalSeconds;
    }

    public sealed record Downs(int Count, TimeSpan Median, TimeSpan Max);

    public sealed record Handoff(long Bytes, long Objects, TimeSpan Elapsed)
    {
        public double MegabytesPerSecond => Bytes / 1e6 / Elapsed.TotalSeconds;
    }

    /// <summary>Callers ask counters hosted on b for their value (no state change, so no store write): the routing, the network both ways and the mailbox.</summary>
    public static async Task<Asks> AsksAsync(Pair pair, Settings settings)
    {
        var actors = pair.KeysOnB("counter", settings.Callers * 4).Select(key => pair.A.GetActor("counter", key)).ToArray();
        foreach (var actor in actors)
        {
            await actor.Ask<long>(new CounterGet()); // activates it
        }

        var warmup = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Callers).Select(async caller =>
        {
            while (warmup.Elapsed < TimeSpan.FromSeconds(2))
            {
                await actors[caller].Ask<long>(new CounterGet());
            }
        }));

        var latencies = new List<long>[settings.Callers];
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(settings.Seconds);
        await Task.WhenAll(Enumerable.Range(0, settings.Callers).Select(caller => Task.Run(async () =>
        {
            var mine = latencies[caller] = new List<long>(1 << 16);
            var message = new CounterGet();
            int i = caller;
            while (clock.Elapsed < duration)
            {
                long start = Stopwatch.GetTimestamp();
                await actors[i++ % actors.Length].Ask<long>(message);
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        })));
        var elapsed = clock.Elapsed;
        long[] all = [.. latencies.SelectMany(l => l)];
        Array.Sort(all);
        double Us(double q) => all[(int)Math.Min(all.Length - 1, q * all.Length)] * 1e6 / Stopwatch.Frequency;
        return new Asks(all.Length, elapsed, Us(0.50), Us(0.99));
    }

    /// <summary>
    /// Tells to in-memory tallies hosted on b, in windows of 16,384; after each window, asks to every
    /// tally until they count every tell of the window before (two windows in flight), and at the
    /// end every tell: the rate of tells handled, not only sent, and the send queue never overflows. The asks are repeated because an ask's reply does not
    /// have to come after the tells sent before it: the transport promises no order (ITransport),
    /// and on the simulated network a tell may still be on its way when the ask is answered.
    /// </summary>
    public static async Task<Tells> TellsAsync(Pair pair, Settings settings)
    {
        var tallies = pair.KeysOnB("tally", 64).Select(key => pair.A.GetActor("tally", key)).ToArray();
        foreach (var tally in tallies)
        {
            await tally.Ask<long>(new TallyGet());
        }

        const int Window = 16_384;
        var add = new TallyAdd(1);
        long sent = 0;
        var clock = Stopwatch.StartNew();
        while (sent < settings.Tells)
        {
            int batch = (int)Math.Min(Window, settings.Tells - sent);
            int senders = settings.Senders;
            Parallel.For(0, senders, sender =>
            {
                for (int i = sender; i < batch; i += senders)
                {
                    tallies[i & 63].Tell(add);
                }
            });

            // Two windows in flight at most (32,768 tells, half a peer queue): the sender fills
            // the next window while b handles the last, as a stream does, and nothing overflows.
            long previous = sent;
            sent += batch;
            await CountedAsync(tallies, previous, sent);
        }

        await CountedAsync(tallies, sent, sent);

        return new Tells(sent, sent, clock.Elapsed);
    }

    /// <summary>Asks every tally until together they count at least <paramref name="atLeast"/>; throws when they count more than <paramref name="sent"/>, or too few for 30 seconds.</summary>
    private static async Task CountedAsync(ActorRef[] tallies, long atLeast, long sent)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            long[] counts = await Task.WhenAll(tallies.Select(t => t.Ask<long>(new TallyGet()).AsTask()));
            long counted = counts.Sum();
            if (counted >= atLeast && counted <= sent)
            {
                return;
            }

            if (counted > sent || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{sent} tells sent but the tallies counted {counted}");
            }
        }
    }

    public static async Task<Downs> KillToDownAsync(Pair pair, Settings settings)
    {
        bool simulated = pair.A.Name == "a";
        int kills = simulated ? 1 : settings.Kills;
        var times = new List<TimeSpan>();
        for (int i = 0; i < kills; i++)
        {
            await Wait.UntilAsync(pair.SeesBUp, TimeSpan.FromMinutes(1));
            await Task.Delay(TimeSpan.FromSeconds(3)); // heartbeats settle into their rhythm
            await pair.KillBAsync();
            var clock = Stopwatch.StartNew();
            await Wait.UntilAsync(() => !pair.SeesBUp(), TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(2));
            times.Add(clock.Elapsed);
            if (i + 1 < kills)
            {
                await pair.RestartBAsync();
            }
        }

        times.Sort();
        return new Downs(times.Count, times[times.Count / 2], times[^1]);
    }

    /// <summary>a alone holds the data (N = 1); b joins and a hands b its share. Timed from the commit until a's ring lists no transfer; bytes from a's handoff counter.</summary>
    public static async Task<Handoff> HandoffAsync(string network, Settings settings)
    {
        const int ValueBytes = 1024;
        int objects = settings.HandoffMegabytes * 1_000_000 / ValueBytes;
        long bytes = 0, handed = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "RingCore" && instrument.Name is "ringcore.handoff.bytes" or "ringcore.handoff.objects")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "ringcore.handoff.bytes")
            {
                Interlocked.Add(ref bytes, value);
            }
            else
            {
                Interlocked.Add(ref handed, value);
            }
        });
        listener.Start();

        var directory = Directory.CreateTempSubdirectory("ringcore-handoff-");
        var meters = new MeterFactory();
        RingNode a;
        Func<Task> joinB;
        Func<ValueTask> stopB;
        GrpcTransport? transport = null;
        if (network == "simulated")
        {
            var simulated = new SimulatedNetwork(1, TimeProvider.System);
            a = await RingNode.StartAsync(Pair.Options("a"), RingClaim.Initial(Pair.PartitionCount, ["a"]).Ring, simulated.Connect("a"), BuiltInActors.Define,
                new RingNodeServices { MeterFactory = meters });
            RingNode? b = null;
            joinB = async () =>
            {
                b = await RingNode.StartAsync(Pair.Options("b"), RingClaim.Initial(Pair.PartitionCount, ["b"]).Ring, simulated.Connect("b"), BuiltInActors.Define);
                await b.JoinAsync("a");
            };
            stopB = () => b?.DisposeAsync() ?? ValueTask.CompletedTask;
        }
        else
        {
            int[] ports = Pair.FreePorts(2);
            transport = await GrpcTransport.StartAsync(new GrpcTransportOptions { NodeName = $"a@127.0.0.1:{ports[0]}", ClusterSecret = Pair.Secret });
            a = await RingNode.StartAsync(Pair.Options(transport.LocalNode), RingClaim.Initial(Pair.PartitionCount, [transport.LocalNode]).Ring, transport,
                BuiltInActors.Define, new RingNodeServices { MeterFactory = meters });
            Process? b = null;
            string aName = transport.LocalNode;
            joinB = async () =>
            {
                b = Ringd.Start(directory.FullName, "--name", $"b@127.0.0.1:{ports[1]}", "--storage", "Memory", "--secret", Pair.Secret,
                    "--ring-size", Pair.PartitionCount.ToString(CultureInfo.InvariantCulture), "--n-val", "1", "--seed", aName);
                await Wait.UntilAsync(() => a.GetClusterStatus().Members.Count == 1 ? false : true, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50),
                    until: async () => (await a.PlanAsync()).Changes.Count > 0);
            };
            stopB = () =>
            {
                if (b is { HasExited: false })
                {
                    b.Kill();
                    b.WaitForExit();
                }

                return ValueTask.CompletedTask;
            };
        }

        var value = new byte[ValueBytes];
        Random.Shared.NextBytes(value);
        await Parallel.ForEachAsync(Enumerable.Range(0, objects), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, _) => await a.PutAsync("bench", $"key-{i:D8}", value, default));
        Interlocked.Exchange(ref bytes, 0);
        Interlocked.Exchange(ref handed, 0);

        await joinB();
        var clock = Stopwatch.StartNew();
        await a.CommitAsync();
        await Wait.UntilAsync(() => a.Ring.Transfers.IsEmpty && a.Ring.Members.Length == 2, TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(10));
        var elapsed = clock.Elapsed;
        await stopB();
        await a.DisposeAsync();
        if (transport is not null)
        {
            await transport.DisposeAsync();
        }

        directory.Delete(recursive: true);
        return new Handoff(Interlocked.Read(ref bytes), Interlocked.Read(ref handed), elapsed);
    }

    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}

/// <summary>The admin service of a ringd, as ringctl calls it.</summary>
internal static class Admin
{
    public static async Task CommitAsync(int port)
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var admin = new RingCore.Grpc.Admin.RingAdmin.RingAdminClient(channel);
        await admin.CommitAsync(new RingCore.Grpc.Admin.CommitRequest(), new Grpc.Core.Metadata { { "ringcore-secret", Pair.Secret } });
    }
}

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null, Func<Task<bool>>? until = null)
    {
        var clock = Stopwatch.StartNew();
        while (until is null ? !condition() : !await until())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not reached in {timeout}");
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(20));
        }
    }
}

/// <summary>ringd, the daemon built beside this program (src/RingCore.Node), as the other process.</summary>
internal static class Ringd
{
    public static Process Start(string directory, params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ringd.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_gcServer"] = "1";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                Console.Error.WriteLine($"ringd: {text}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitListeningAsync(int port) =>
        await Wait.UntilAsync(() =>
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                client.Connect(System.Net.IPAddress.Loopback, port);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }, TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50));
}
