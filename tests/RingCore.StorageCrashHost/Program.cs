using System.Globalization;
using System.Text;
using RingCore.Storage;
using RingCore.Storage.Faster;

// Writes key-<n> (n = start, start+1, ...) to partition 0 of a FASTER store and prints
// "ACK <n>" once each PutAsync has completed, until killed or until its bounds run out.
//
//   dotnet RingCore.StorageCrashHost.dll <dataDir> <before-ack|interval> [start] [writers]
//
// before-ack: CommitBeforeAcknowledge with several concurrent writers (group commit), so every
//             ACK printed must survive the kill.
// interval:   CommitInterval (100 ms) with one writer, so what survives must be a prefix.
// actor:      a node whose WriteThrough actor is flooded by [writers] senders (ActorCrashWorkload):
//             every count an Ask returned must survive the kill.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: RingCore.StorageCrashHost <dataDir> <before-ack|interval> [start] [writers]");
    return 2;
}

if (args[1] == "actor")
{
    return await ActorCrashWorkload.RunAsync(args[0], args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 4);
}

var mode = args[1] switch
{
    "before-ack" => FasterCommitMode.CommitBeforeAcknowledge,
    "interval" => FasterCommitMode.CommitInterval,
    _ => throw new ArgumentException($"unknown mode '{args[1]}'"),
};
long next = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 0;
int writers = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;

var options = new FasterStorageOptions
{
    DataDirectory = args[0],
    CommitMode = mode,
    CommitInterval = TimeSpan.FromMilliseconds(100),

    // This process is a host whose whole load is FASTER writes (4 concurrent writers in
    // before-ack mode), the case the option is for: without it, pool starvation can stall
    // puts for seconds and blur what the kill tests measure.
    RaiseThreadPoolMinimum = true,
};

// Bounded so that a test that fails to kill it cannot leave it running.
const int MaxWritesPerWriter = 200_000;
var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
var output = Console.Out;
var outputGate = new object();

await using var store = await new FasterVNodeStoreProvider(options).OpenAsync(0);
lock (outputGate)
{
    output.WriteLine("OPEN");
    output.Flush();
}

var tasks = new Task[writers];
for (int w = 0; w < writers; w++)
{
    tasks[w] = Task.Run(async () =>
    {
        for (int i = 0; i < MaxWritesPerWriter && DateTime.UtcNow < deadline; i++)
        {
            long n = Interlocked.Increment(ref next) - 1;
            await store.PutAsync(Key(n), new StoredObject(Value(n), Metadata(n)));
            lock (outputGate)
            {
                output.WriteLine("ACK " + n.ToString(CultureInfo.InvariantCulture));
                output.Flush();
            }

            // Interval-mode writes complete at once; pace them (50 per timer tick) so a
            // two-second run writes tens of thousands of keys, not hundreds of thousands.
            if (mode == FasterCommitMode.CommitInterval && i % 50 == 49)
            {
                await Task.Delay(1);
            }
        }
    });
}

await Task.WhenAll(tasks);
return 0;

static byte[] Key(long n) => Encoding.UTF8.GetBytes("key-" + n.ToString(CultureInfo.InvariantCulture));

static byte[] Value(long n) => Encoding.UTF8.GetBytes("value-" + n.ToString(CultureInfo.InvariantCulture) + new string('v', (int)(n % 97)));

static byte[] Metadata(long n) => BitConverter.GetBytes(n);
