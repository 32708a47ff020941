// Measures, in virtual time on the simulated cluster, how long the default failure detection
// (heartbeats every 250 ms, phi-accrual threshold 8, acceptable pause 1 s, minimum deviation
// 100 ms, checked every 100 ms) takes to notice a crash, a return, a partition and its heal,
// over many seeds, on a quiet network and on two lossy ones (the partition suite drops up to 20%).
//
//   dotnet run -c Release --project bench/RingCore.FailureDetection -- [seeds] [warmup-seconds] [heartbeat-ms]
//
// seeds defaults to 100, warmup-seconds to 30, heartbeat-ms to the default interval (250; another
// value compares an interval, with the first heartbeat estimate set to it too). Each seed runs 5
// nodes (Q = 16, N = 3) in the TestKit's seeded, single-threaded simulation: the warmup of
// heartbeats (a history of 120 intervals at the default interval) plus a seeded offset of 0 to
// 500 ms (so the fault falls anywhere in a heartbeat interval), then a crash of one node, its
// restart 5 s later, then a partition of two nodes from three, healed 5 s later (each wait with
// its own seeded offset). Each figure is the virtual time from the fault (or the repair) until
// every running node's view agrees with the network, read every millisecond of virtual time
// through TestCluster.SeesUp. "False suspicions" counts the times a node marked a peer down beyond
// the ones the faults call for.
using System.Globalization;
using RingCore.Membership;
using RingCore.Node;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;
using RingCore.Transport;

int seeds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var warmup = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30);
var detection = new FailureDetectionOptions();
if (args.Length > 2)
{
    // Another heartbeat interval to compare with the default (the first estimate follows it).
    detection.HeartbeatInterval = detection.FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(double.Parse(args[2], CultureInfo.InvariantCulture));
}

var scenarios = new (string Name, NetworkFaults Faults)[]
{
    ("quiet network", NetworkFaults.None),
    ("lossy network (5% dropped, 0-30 ms delay)", new NetworkFaults { DropRate = 0.05, MaxDelay = TimeSpan.FromMilliseconds(30) }),
    ("very lossy network (20% dropped, 0-30 ms delay)", new NetworkFaults { DropRate = 0.2, MaxDelay = TimeSpan.FromMilliseconds(30) }),
};

Console.WriteLine($"failure-detection: 5 nodes, heartbeats every {detection.HeartbeatInterval.TotalMilliseconds:0} ms (other settings the defaults), {seeds} seeds per network, {warmup.TotalSeconds:0} s of heartbeats first; virtual time (ms): min / median / p95 / max");
Console.WriteLine();
Console.WriteLine("| network | crash to down | return to up | partition to down (both sides) | heal to up | false suspicions |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (name, faults) in scenarios)
{
    var crash = new List<double>();
    var back = new List<double>();
    var split = new List<double>();
    var healed = new List<double>();
    long suspicions = 0;
    for (int seed = 1; seed <= seeds; seed++)
    {
        var run = Measure(seed, faults, warmup, detection);
        crash.Add(run.Crash);
        back.Add(run.Back);
        split.Add(run.Split);
        healed.Add(run.Healed);
        suspicions += run.FalseSuspicions;
    }

    Console.WriteLine($"| {name} | {Summary(crash)} | {Summary(back)} | {Summary(split)} | {Summary(healed)} | {suspicions} |");
}

return 0;

static Run Measure(int seed, NetworkFaults faults, TimeSpan Warmup, FailureDetectionOptions detection)
{
    var sim = new Simulator(seed);
    return sim.Run(async () =>
    {
        var cluster = new TestCluster(5, ringSize: 16, nVal: 3, seed: seed, time: sim.Time, scheduler: sim.Scheduler,
            nodeOptions: new RingNodeOptions { FailureDetection = detection });
        var random = new Random(seed);
        cluster.Network.Faults = faults;
        await sim.Delay(Warmup + TimeSpan.FromMilliseconds(random.Next(500)));

        string victim = cluster.Members[random.Next(cluster.Members.Count)];
        cluster.Crash(victim);
        double crash = await UntilAgreedAsync(sim, cluster, side: null);
        await sim.Delay(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(random.Next(500)));
        cluster.Restart(victim);
        double back = await UntilAgreedAsync(sim, cluster, side: null);
        await sim.Delay(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(random.Next(500)));

        var shuffled = cluster.Members.OrderBy(_ => random.Next()).ToArray();
        cluster.Partition(shuffled[..2], shuffled[2..]);
        double split = await UntilAgreedAsync(sim, cluster, side: [.. shuffled[..2]]);
        await sim.Delay(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(random.Next(500)));
        cluster.Heal();
        double healed = await UntilAgreedAsync(sim, cluster, side: null);
        await sim.Delay(TimeSpan.FromSeconds(2));

        // The faults call for 4 down markings (the crash) and 2 x 3 x 2 = 12 (the partition, both ways).
        long falseSuspicions = cluster.Metrics.Count("ringcore.membership.node_down") - 4 - 12;
        await cluster.DisposeAsync();
        return new Run(crash, back, split, healed, falseSuspicions);
    }, TimeSpan.FromHours(1));
}

// Milliseconds of virtual time until every running node sees up exactly the nodes it can reach
// (side: the nodes on one side of the partition the measurement made, or null for none).
static async Task<double> UntilAgreedAsync(Simulator sim, TestCluster cluster, HashSet<string>? side)
{
    var started = sim.Time.Elapsed;
    while (!Agreed(cluster, side))
    {
        await sim.Delay(TimeSpan.FromMilliseconds(1));
    }

    return (sim.Time.Elapsed - started).TotalMilliseconds;
}

static bool Agreed(TestCluster cluster, HashSet<string>? side)
{
    foreach (var observer in cluster.Members)
    {
        if (cluster.Network.IsCrashed(observer))
        {
            continue;
        }

        foreach (var node in cluster.Members)
        {
            bool split = side is not null && side.Contains(observer) != side.Contains(node);
            bool reachable = node == observer || (!cluster.Network.IsCrashed(node) && !split);
            if (cluster.SeesUp(observer, node) != reachable)
            {
                return false;
            }
        }
    }

    return true;
}

static string Summary(List<double> values)
{
    values.Sort();
    double Percentile(double p) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
    return string.Create(CultureInfo.InvariantCulture, $"{values[0]:0} / {Percentile(0.5):0} / {Percentile(0.95):0} / {values[^1]:0}");
}

internal readonly record struct Run(double Crash, double Back, double Split, double Healed, long FalseSuspicions);
