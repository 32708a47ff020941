using System.Globalization;
using RingCore.Actors;
using RingCore.Node;
using RingCore.Storage.Faster;

/// <summary>
/// The "actor" mode of the crash host: a node on FASTER with one WriteThrough counter actor,
/// flooded by several writers that each Tell it ten increments and then Ask one, printing
/// "ACK n" with the count the Ask returned. WriteThrough turns store a batch of messages with
/// one write and answer its Asks only after it, so every count printed must survive a SIGKILL.
/// </summary>
internal static class ActorCrashWorkload
{
    public const int PartitionCount = 8;

    public sealed record Bump;

    public sealed record AddAndGet;

    public sealed record Get;

    public static void Define(ActorRegistry actors) => actors.Add<long>("counter", type => type
        .InitialState(_ => 0)
        .On<Bump>((count, _, _) => count + 1)
        .On<AddAndGet, long>((count, _, _) => (count + 1, count + 1))
        .On<Get, long>((count, _, _) => (count, count)));

    public static async Task<int> RunAsync(string dataDirectory, int writers)
    {
        var storage = new FasterVNodeStoreProvider(new FasterStorageOptions { DataDirectory = dataDirectory, RaiseThreadPoolMinimum = true });
        await using var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = PartitionCount }, Define, new RingNodeServices { Storage = storage });
        var counter = node.GetActor("counter", "hot");
        var output = Console.Out;
        var gate = new object();
        lock (gate)
        {
            output.WriteLine("OPEN");
            output.Flush();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var tasks = new Task[writers];
        for (int w = 0; w < writers; w++)
        {
            tasks[w] = Task.Run(async () =>
            {
                while (DateTime.UtcNow < deadline)
                {
                    for (int i = 0; i < 10; i++)
                    {
                        counter.Tell(new Bump());
                    }

                    long count = await counter.Ask<long>(new AddAndGet(), TimeSpan.FromSeconds(30));
                    lock (gate)
                    {
                        output.WriteLine("ACK " + count.ToString(CultureInfo.InvariantCulture));
                        output.Flush();
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
        return 0;
    }
}
