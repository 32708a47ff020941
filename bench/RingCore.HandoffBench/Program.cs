// Measures issue 13's handoff figures on the simulated cluster:
//
//   dotnet run -c Release --project bench/RingCore.HandoffBench -- [hints] [objects] [value-bytes] [rounds]
//
// ("hints" runs only the second measurement.)
//
// 1. Ownership handoff throughput between two nodes: node n1 alone (N = 1) holds `objects`
//    objects of `value-bytes` each (default 40,000 of 1 KiB); n2 joins and claims half the
//    partitions; the time from the commit to a settled cluster (every transfer acknowledged,
//    the ring flipped, n1's copies dropped) gives objects/s and MB/s, with memory stores and with
//    FASTER (default settings, a fresh directory per node). Real time, on the thread pool.
// 2. Hint delivery in virtual time: five nodes (N = 3), n3 crashed for 30 s under writes, then
//    restarted; the virtual time from its return until no node holds anything for it.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.Storage;
using RingCore.Storage.Faster;
using RingCore.TestKit;
using RingCore.TestKit.Simulation;

bool hintsOnly = args.Length > 0 && args[0] == "hints";
args = hintsOnly ? args[1..] : args;
int objects = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40_000;
int valueBytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1024;
int rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var output = Console.Out;
output.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"handoff: {objects} objects of {valueBytes} B on n1 (N = 1, Q = 64), n2 joins; {rounds} rounds per store; {Environment.ProcessorCount} cores"));
output.WriteLine("| Store | Round | Objects handed off | MiB | Seconds to transfers done | Objects/s | MB/s | Seconds to settled |");
output.WriteLine("|---|---|---|---|---|---|---|---|");
foreach (string store in hintsOnly ? [] : new[] { "memory", "faster" })
{
    for (int round = 1; round <= rounds; round++)
    {
        await HandoffRoundAsync(store, round);
    }
}

output.WriteLine();
output.WriteLine("hints: 5 nodes (N = 3, Q = 64), n3 crashed for 30 s of virtual time under 10 writes/s, then restarted");
var delivered = new List<double>();
for (int seed = 1; seed <= 20; seed++)
{
    delivered.Add(HintDelivery(seed));
}

delivered.Sort();
output.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"virtual time from the return to every hint delivered, 20 seeds: min {delivered[0]:F2} s, median {delivered[10]:F2} s, max {delivered[^1]:F2} s"));

async Task HandoffRoundAsync(string store, int round)
{
    string root = Path.Combine(Path.GetTempPath(), "ringcore-handoff-bench-" + Guid.NewGuid().ToString("N"));
    Func<string, IVNodeStoreProvider> storage = store == "memory"
        ? _ => new MemoryVNodeStoreProvider()
        : name => new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = Path.Combine(root, name) });
    var options = new RingNodeOptions
    {
        Membership = { GossipInterval = TimeSpan.FromMilliseconds(200) },
        Handoff = { Interval = TimeSpan.FromSeconds(1) },
    };
    var cluster = new TestCluster(1, 64, nVal: 1, seed: round, defaults: new BucketProperties { N = 1, R = 1, W = 1 }, nodeOptions: options, storage: storage);
    try
    {
        var value = new byte[valueBytes];
        Random.Shared.NextBytes(value);
        var node = cluster.Node("n1");
        await Parallel.ForEachAsync(Enumerable.Range(0, objects), new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (i, _) => await node.PutAsync("b", "k" + i.ToString(CultureInfo.InvariantCulture), value, CausalContext.Empty));

        long before = cluster.Metrics.Count("ringcore.handoff.objects");
        long bytesBefore = cluster.Metrics.Count("ringcore.handoff.bytes");
        var watch = Stopwatch.StartNew();
        await cluster.JoinAsync("n2");

        // Transfers done: every partition acknowledged and flipped on both nodes (the ring's part
        // of settling, cheap to poll); then settled: n1's copies dropped too.
        while (cluster.Unsettled() is not null)
        {
            await Task.Delay(10);
        }

        double seconds = watch.Elapsed.TotalSeconds;
        long handed = cluster.Metrics.Count("ringcore.handoff.objects") - before;
        double mib = (cluster.Metrics.Count("ringcore.handoff.bytes") - bytesBefore) / (1024.0 * 1024.0);
        await cluster.AwaitSettledAsync(TimeSpan.FromMinutes(10));
        double settled = watch.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {store} | {round} | {handed} | {mib:F1} | {seconds:F2} | {handed / seconds:F0} | {mib * 1.048576 / seconds:F1} | {settled:F2} |"));
    }
    finally
    {
        await cluster.DisposeAsync();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

static double HintDelivery(int seed)
{
    var simulator = new Simulator(seed);
    return simulator.Run(async () =>
    {
        var cluster = new TestCluster(5, 64, nVal: 3, seed: seed, time: simulator.Time, scheduler: simulator.Scheduler);
        var quorum = new QuorumOptions { Timeout = TimeSpan.FromSeconds(2) };
        cluster.Crash("n3");
        await cluster.AwaitDetectionAsync(); // the others see it down (phi accrual, about 1.8 s); its keys' writes go to fallbacks
        for (int i = 0; i < 300; i++)
        {
            await cluster.Node(i % 2 == 0 ? "n1" : "n2").PutAsync("b", $"k{i}", Encoding.UTF8.GetBytes("v"), CausalContext.Empty, quorum);
            await simulator.Delay(TimeSpan.FromMilliseconds(100));
        }

        cluster.Restart("n3");
        var returned = simulator.Time.Elapsed;
        while ((await cluster.MisplacedObjectsAsync()).Count > 0)
        {
            await simulator.Delay(TimeSpan.FromMilliseconds(10));
        }

        return (simulator.Time.Elapsed - returned).TotalSeconds;
    }, TimeSpan.FromHours(1));
}
