using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using RingCore.Grpc.Admin;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl transfers</c> (riak-admin transfers): asks every member, through the admin service,
/// which transfers it is sending, and shows each one's partition, sender, receiver, objects,
/// bytes and rate, with the ring's pending transfers. With <c>--watch</c> it follows them until
/// none is left: live progress bars when stdout is a terminal, otherwise one final table (or
/// JSON), so that a script can wait for a cluster to settle.
/// </summary>
internal static class TransfersCommand
{
    private const string Name = "transfers";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create(CommandContext context)
    {
        var target = new NodeTarget(context);
        var watch = new Option<bool>("--watch") { Description = "Follow the transfers until none is running or pending (live bars on a terminal)." };
        var maxWait = new Option<double>("--max-wait")
        {
            HelpName = "seconds",
            Description = "With --watch: give up (exit 7) when transfers are still running after this long.",
            DefaultValueFactory = _ => 600,
        };
        var command = new Command(Name, "Show the transfers every member is sending (partition, from, to, objects, bytes, rate) and the pending ones.");
        target.AddTo(command);
        command.Options.Add(watch);
        command.Options.Add(maxWait);
        command.SetAction(parse => context.RunLive(Name, async () =>
        {
            var call = target.Read(parse);
            double wait = parse.GetValue(maxWait);
            if (!(wait > 0))
            {
                throw new UsageException($"--max-wait must be more than 0 seconds (got {wait}).");
            }

            if (!parse.GetValue(watch))
            {
                Write(context, call.Json, await CollectAsync(call));
                return ExitCodes.Success;
            }

            var deadline = Stopwatch.StartNew();
            var limit = TimeSpan.FromSeconds(wait);
            Snapshot snapshot;
            if (!call.Json && new AnsiConsoleOutput(context.Output).IsTerminal)
            {
                snapshot = await WatchLiveAsync(call, limit);
            }
            else
            {
                snapshot = await CollectAsync(call);
                while (!snapshot.Settled && deadline.Elapsed < limit)
                {
                    await Task.Delay(PollInterval);
                    snapshot = await CollectAsync(call);
                }
            }

            Write(context, call.Json, snapshot);
            if (!snapshot.Settled)
            {
                context.Error.WriteLine($"ringctl {Name}: transfers still running or pending after {wait.ToString(CultureInfo.InvariantCulture)} s.");
                return ExitCodes.NotSettled;
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What every member answered at one moment.</summary>
    internal sealed record Snapshot(IReadOnlyList<TransfersReply> Nodes, IReadOnlyList<(string Node, string Error)> Unreachable)
    {
        public IEnumerable<TransferProgress> Running => Nodes.SelectMany(n => n.Running);

        /// <summary>The ring's pending transfers, as the first member that answered sees them.</summary>
        public IReadOnlyList<Transfer> Pending => Nodes.Count > 0 ? Nodes[0].Pending : [];

        /// <summary>Nothing running anywhere, nothing pending, every member answered.</summary>
        public bool Settled => Unreachable.Count == 0 && !Running.Any() && Nodes.All(n => n.Pending.Count == 0);
    }

    /// <summary>Asks the node for the members, then every member for its transfers, in parallel; a member that does not answer is listed, not fatal.</summary>
    internal static async Task<Snapshot> CollectAsync(NodeTarget.Target call)
    {
        IReadOnlyList<string> members;
        using (var connection = new AdminConnection(call))
        {
            var status = await connection.Admin.MemberStatusAsync(new StatusRequest(), connection.Call());
            members = status.Members.Select(m => m.Name).ToList();
            if (members.Count == 0)
            {
                members = [call.Node];
            }
        }

        var answers = await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                using var connection = new AdminConnection(member, call.Secret, call.Timeout);
                return (member, reply: await connection.Admin.TransfersAsync(new StatusRequest(), connection.Call()), error: (string?)null);
            }
            catch (RpcException failure) when (failure.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return (member, reply: (TransfersReply?)null, error: CommandContext.Describe(failure));
            }
            catch (ArgumentException failure)
            {
                return (member, reply: (TransfersReply?)null, error: $"not an address: {failure.Message}");
            }
        }));
        return new Snapshot(
            answers.Where(a => a.reply is not null).Select(a => a.reply!).ToList(),
            answers.Where(a => a.reply is null).Select(a => (a.member, a.error!)).ToList());
    }

    private static void Write(CommandContext context, bool json, Snapshot snapshot)
    {
        if (json)
        {
            JsonOutput.Write(context.Output, new
            {
                settled = snapshot.Settled,
                nodes = snapshot.Nodes.Select(JsonOutput.Of).ToList(),
                unreachable = snapshot.Unreachable.Select(u => new { node = u.Node, error = u.Error }).ToList(),
            });
            return;
        }

        var running = snapshot.Running.ToList();
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Running transfers: {running.Count}"));
        if (running.Count > 0)
        {
            var table = new Table().RoundedBorder().AddColumns("partition", "from", "to", "kind", "objects", "bytes", "rate", "elapsed");
            foreach (var transfer in running)
            {
                table.AddRow(StatusCommands.Number(transfer.Partition), Markup.Escape(transfer.From), Markup.Escape(transfer.To), Markup.Escape(transfer.Kind),
                    Objects(transfer), Bytes(transfer.Bytes), Bytes((ulong)Math.Max(0, transfer.BytesPerSecond)) + "/s",
                    string.Create(CultureInfo.InvariantCulture, $"{transfer.ElapsedMs / 1000.0:0.0} s"));
            }

            context.Console.Write(table);
        }

        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pending transfers: {snapshot.Pending.Count}"));
        if (snapshot.Pending.Count > 0)
        {
            context.Console.Write(ClusterCommand.TransferTable(snapshot.Pending));
        }

        foreach (var (node, error) in snapshot.Unreachable)
        {
            context.Output.WriteLine($"{node} did not answer: {error}");
        }
    }

    /// <summary>"sent of total" once the sender has counted what it folds, else what it sent.</summary>
    private static string Objects(TransferProgress transfer) => transfer.HasObjectsTotal
        ? $"{StatusCommands.Number(transfer.Objects)} of {StatusCommands.Number(transfer.ObjectsTotal)}"
        : StatusCommands.Number(transfer.Objects);

    /// <summary>
    /// Live bars on a terminal, one per running transfer, until settled: a bar fills as the objects
    /// sent near the total its sender counted, and spins while that count is not known yet.
    /// </summary>
    private static async Task<Snapshot> WatchLiveAsync(NodeTarget.Target call, TimeSpan limit)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        var deadline = Stopwatch.StartNew();
        Snapshot snapshot = await CollectAsync(call);
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var pending = progress.AddTask("pending", autoStart: true, maxValue: Math.Max(1, snapshot.Pending.Count));
                int initialPending = snapshot.Pending.Count;
                while (true)
                {
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var transfer in snapshot.Running)
                    {
                        string id = $"{transfer.Partition} {transfer.From} {transfer.To}";
                        seen.Add(id);
                        if (!bars.TryGetValue(id, out var bar))
                        {
                            bar = progress.AddTask(id).IsIndeterminate();
                            bars[id] = bar;
                        }

                        if (transfer.HasObjectsTotal)
                        {
                            // An upper bound (a bucket with a smaller N sends fewer), so never past it.
                            bar.IsIndeterminate(false).MaxValue = Math.Max(1, transfer.ObjectsTotal);
                            bar.Value = Math.Min(transfer.Objects, bar.MaxValue);
                        }

                        bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                            $"p{transfer.Partition} {transfer.From} -> {transfer.To} ({transfer.Kind}): {Objects(transfer)} objects, {Bytes(transfer.Bytes)}, {Bytes((ulong)Math.Max(0, transfer.BytesPerSecond))}/s"));
                    }

                    foreach (var (id, bar) in bars)
                    {
                        if (!seen.Contains(id) && !bar.IsFinished)
                        {
                            bar.IsIndeterminate(false).Value = bar.MaxValue;
                            bar.StopTask();
                        }
                    }

                    pending.Description = string.Create(CultureInfo.InvariantCulture, $"pending transfers: {snapshot.Pending.Count} of {initialPending}");
                    pending.Value = Math.Max(0, initialPending - snapshot.Pending.Count);
                    if (snapshot.Settled || deadline.Elapsed >= limit)
                    {
                        pending.Value = pending.MaxValue;
                        return;
                    }

                    await Task.Delay(PollInterval);
                    snapshot = await CollectAsync(call);
                }
            });
        return snapshot;
    }

    private static string Bytes(ulong bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024UL * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };
}
