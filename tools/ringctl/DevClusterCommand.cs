using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Grpc.Core;
using RingCore.Grpc.Admin;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl devcluster up|down|status</c>: a cluster of ringd processes on loopback for
/// development, each with its own directory under <c>--dir</c>, sharing a secret generated for
/// it. <c>up</c> starts node 1, joins nodes 2..N to it, plans, commits and waits until every
/// transfer finished; the state file lets <c>down</c> stop them (SIGTERM, then SIGKILL after
/// <c>--timeout</c>) and the live commands find the cluster without options.
/// </summary>
internal static partial class DevClusterCommand
{
    private const int MaxNodes = 16;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public static Command Create(CommandContext context)
    {
        var command = new Command("devcluster", "Run a development cluster of ringd processes on loopback.");
        command.Subcommands.Add(Up(context));
        command.Subcommands.Add(Down(context));
        command.Subcommands.Add(Status(context));
        return command;
    }

    private static Option<string> DirectoryOption() => new("--dir")
    {
        HelpName = "path",
        Description = "The cluster's directory: a folder per node and the state file.",
        DefaultValueFactory = _ => DevClusterState.DefaultDirectory,
    };

    private static Option<bool> JsonOption() => new("--json") { Description = "Write the result as JSON on stdout." };

    private static Command Up(CommandContext context)
    {
        var nodes = new Option<int>("--nodes") { HelpName = "N", Description = $"How many nodes (1 to {MaxNodes}).", DefaultValueFactory = _ => 3 };
        var directory = DirectoryOption();
        var basePort = new Option<int>("--base-port") { HelpName = "port", Description = "Node i listens on base-port + i - 1.", DefaultValueFactory = _ => 8101 };
        var ringSize = new Option<int>("--ring-size") { HelpName = "Q", Description = "Partitions in the ring (a power of two from 8 to 65536).", DefaultValueFactory = _ => 64 };
        var storage = new Option<string>("--storage") { HelpName = "Faster|Memory", Description = "The nodes' storage backend.", DefaultValueFactory = _ => "Faster" };
        var ringd = new Option<string>("--ringd") { HelpName = "path", Description = $"The ringd.dll to run (default: found next to ringctl or in the build; ${RingdLocator.Variable})." };
        var timeout = new Option<double>("--timeout") { HelpName = "seconds", Description = "How long to wait for the nodes to start and the transfers to finish.", DefaultValueFactory = _ => 120 };
        var json = JsonOption();
        var command = new Command("up", "Start N ringd processes on 127.0.0.1, join them to node 1, commit and wait for the transfers.");
        foreach (var option in new Option[] { nodes, directory, basePort, ringSize, storage, ringd, timeout, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => context.RunLive("devcluster up", async () =>
        {
            int count = parse.GetValue(nodes);
            if (count is < 1 or > MaxNodes)
            {
                throw new UsageException($"--nodes must be from 1 to {MaxNodes} (got {count}).");
            }

            int port = parse.GetValue(basePort);
            if (port < 1 || port + count - 1 > 65535)
            {
                throw new UsageException($"--base-port must leave room for {count} ports up to 65535 (got {port}).");
            }

            int q = parse.GetValue(ringSize);
            if (q < 8 || q > 65536 || (q & (q - 1)) != 0)
            {
                throw new UsageException($"--ring-size must be a power of two from 8 to 65536 (got {q}).");
            }

            double seconds = parse.GetValue(timeout);
            if (!(seconds > 0))
            {
                throw new UsageException($"--timeout must be more than 0 seconds (got {seconds}).");
            }

            string dir = Path.GetFullPath(parse.GetValue(directory)!);
            if (DevClusterState.TryLoad(dir) is { } running && running.Nodes.Any(n => IsRunning(n.Pid)))
            {
                throw new UsageException($"a devcluster already runs in {dir}; stop it first with 'ringctl devcluster down --dir {dir}'.");
            }

            string dll = RingdLocator.Find(parse.GetValue(ringd));
            var options = new UpOptions(count, dir, port, q, parse.GetValue(storage)!, dll, TimeSpan.FromSeconds(seconds));
            var (state, error) = await StartAsync(options);
            if (error is not null)
            {
                context.Error.WriteLine($"ringctl devcluster up: {error} (logs in {dir}; stop what started with 'ringctl devcluster down --dir {dir}').");
                return ExitCodes.NotSettled;
            }

            WriteState(context, parse.GetValue(json), dir, state, running: null);
            if (!parse.GetValue(json))
            {
                context.Output.WriteLine($"Up: {count} nodes joined and settled. Try 'ringctl member-status'; stop with 'ringctl devcluster down'.");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Down(CommandContext context)
    {
        var directory = DirectoryOption();
        var timeout = new Option<double>("--timeout") { HelpName = "seconds", Description = "How long each node has to stop after SIGTERM before it is killed.", DefaultValueFactory = _ => 30 };
        var purge = new Option<bool>("--purge") { Description = "Also delete the cluster's directory (the nodes' data and logs)." };
        var json = JsonOption();
        var command = new Command("down", "Stop the devcluster's nodes (SIGTERM, then SIGKILL after --timeout) and remove its state file.");
        foreach (var option in new Option[] { directory, timeout, purge, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => context.RunLive("devcluster down", async () =>
        {
            string dir = Path.GetFullPath(parse.GetValue(directory)!);
            double seconds = parse.GetValue(timeout);
            if (!(seconds >= 0))
            {
                throw new UsageException($"--timeout must not be negative (got {seconds}).");
            }

            var state = DevClusterState.TryLoad(dir);
            var stopped = new List<Stopped>();
            if (state is not null)
            {
                var results = await Task.WhenAll(state.Nodes.Select(n => StopAsync(n.Pid, TimeSpan.FromSeconds(seconds))));
                for (int i = 0; i < state.Nodes.Count; i++)
                {
                    stopped.Add(new Stopped(state.Nodes[i].Name, state.Nodes[i].Pid, results[i]));
                }

                File.Delete(DevClusterState.PathIn(dir));
            }

            if (parse.GetValue(purge) && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(context.Output, new { directory = dir, nodes = stopped });
            }
            else if (state is null)
            {
                context.Output.WriteLine($"No devcluster in {dir}.");
            }
            else
            {
                foreach (var node in stopped)
                {
                    context.Output.WriteLine($"{node.Name} (pid {node.Pid.ToString(CultureInfo.InvariantCulture)}): {node.Stop}");
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Status(CommandContext context)
    {
        var directory = DirectoryOption();
        var json = JsonOption();
        var command = new Command("status", "Show the devcluster's nodes and whether each process runs. Exit 1 when there is none or one is not running.");
        command.Options.Add(directory);
        command.Options.Add(json);
        command.SetAction(parse => context.Run("devcluster status", () =>
        {
            string dir = Path.GetFullPath(parse.GetValue(directory)!);
            var state = DevClusterState.TryLoad(dir);
            if (state is null)
            {
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(context.Output, new { directory = dir, nodes = Array.Empty<object>() });
                }
                else
                {
                    context.Output.WriteLine($"No devcluster in {dir}.");
                }

                return ExitCodes.CheckFailed;
            }

            var running = state.Nodes.Select(n => IsRunning(n.Pid)).ToList();
            WriteState(context, parse.GetValue(json), dir, state, running);
            return running.All(r => r) ? ExitCodes.Success : ExitCodes.CheckFailed;
        }));
        return command;
    }

    private static void WriteState(CommandContext context, bool json, string dir, DevClusterState state, List<bool>? running)
    {
        if (json)
        {
            JsonOutput.Write(context.Output, new
            {
                directory = dir,
                ringSize = state.RingSize,
                nodes = state.Nodes.Select((n, i) => new { name = n.Name, pid = n.Pid, running = running?[i] ?? true, directory = n.Directory, log = n.Log }).ToList(),
            });
            return;
        }

        var table = new Table().RoundedBorder().AddColumns("node", "pid", "running", "directory");
        for (int i = 0; i < state.Nodes.Count; i++)
        {
            var node = state.Nodes[i];
            table.AddRow(Markup.Escape(node.Name), node.Pid.ToString(CultureInfo.InvariantCulture), running?[i] ?? true ? "yes" : "no", Markup.Escape(node.Directory));
        }

        context.Output.WriteLine($"devcluster in {dir} (ring of {state.RingSize.ToString(CultureInfo.InvariantCulture)} partitions; secret in {DevClusterState.PathIn(dir)}):");
        context.Console.Write(table);
    }

    /// <summary>How <c>down</c> ended a node: stopped (by SIGTERM), killed (SIGKILL after the timeout) or not running.</summary>
    private sealed record Stopped(string Name, int Pid, string Stop);

    private sealed record UpOptions(int Nodes, string Directory, int BasePort, int RingSize, string Storage, string Ringd, TimeSpan Timeout);

    /// <summary>Starts the nodes, joins, commits and waits; returns the state and, on failure, why.</summary>
    private static async Task<(DevClusterState State, string? Error)> StartAsync(UpOptions options)
    {
        var deadline = Stopwatch.StartNew();
        string secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var state = new DevClusterState(secret, options.RingSize, []);
        for (int i = 1; i <= options.Nodes; i++)
        {
            int port = options.BasePort + i - 1;
            if (!PortIsFree(port))
            {
                return (state, $"port {port} on 127.0.0.1 is in use (choose another --base-port)");
            }
        }

        int nVal = Math.Min(3, options.Nodes);
        for (int i = 1; i <= options.Nodes; i++)
        {
            string name = $"n{i}@127.0.0.1:{(options.BasePort + i - 1).ToString(CultureInfo.InvariantCulture)}";
            string nodeDirectory = Path.Combine(options.Directory, $"n{i}");
            Directory.CreateDirectory(nodeDirectory);
            string log = Path.Combine(nodeDirectory, "ringd.log");
            int pid = Launch(options.Ringd, log, nodeDirectory,
                "--name", name, "--data", Path.Combine(nodeDirectory, "data"), "--secret", secret,
                "--ring-size", options.RingSize.ToString(CultureInfo.InvariantCulture), "--storage", options.Storage,
                "--n-val", nVal.ToString(CultureInfo.InvariantCulture));
            state.Nodes.Add(new DevClusterState.Node(name, pid, nodeDirectory, log));
            state.Save(options.Directory);
        }

        foreach (var node in state.Nodes)
        {
            if (await WaitListeningAsync(node, options.Timeout - deadline.Elapsed) is { } error)
            {
                return (state, error);
            }
        }

        if (options.Nodes == 1)
        {
            return (state, null);
        }

        string seed = state.Nodes[0].Name;
        foreach (var node in state.Nodes.Skip(1))
        {
            using var connection = new AdminConnection(node.Name, secret, CallTimeout);
            await RetryUnavailableAsync(() => connection.Admin.JoinAsync(new JoinRequest { Seed = seed }, connection.Call()).ResponseAsync, options.Timeout - deadline.Elapsed);
        }

        using (var first = new AdminConnection(seed, secret, CallTimeout))
        {
            await first.Admin.PlanAsync(new PlanRequest(), first.Call());
            await first.Admin.CommitAsync(new CommitRequest(), first.Call());
        }

        var target = new NodeTarget.Target(seed, secret, CallTimeout, Json: false);
        while (true)
        {
            var snapshot = await TransfersCommand.CollectAsync(target);
            if (snapshot.Settled && await AllValidAsync(target, options.Nodes))
            {
                return (state, null);
            }

            if (deadline.Elapsed > options.Timeout)
            {
                return (state, $"the transfers did not finish within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s ({snapshot.Pending.Count} pending)");
            }

            await Task.Delay(Poll);
        }
    }

    private static async Task<bool> AllValidAsync(NodeTarget.Target target, int nodes)
    {
        using var connection = new AdminConnection(target);
        var status = await connection.Admin.MemberStatusAsync(new StatusRequest(), connection.Call());
        return status.Members.Count == nodes && status.Members.All(m => m.Status == "valid");
    }

    /// <summary>A node answers UNAVAILABLE while it starts; the call is repeated until it answers otherwise or time runs out.</summary>
    private static async Task RetryUnavailableAsync(Func<Task> call, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (RpcException failure) when (failure.StatusCode == StatusCode.Unavailable && clock.Elapsed < patience)
            {
                await Task.Delay(Poll);
            }
        }
    }

    /// <summary>
    /// Starts ringd detached from ringctl's output: through /bin/sh, whose exec makes the pid
    /// ringd's and sends its output to its log, so that ringd outlives ringctl without a pipe
    /// that breaks when ringctl exits.
    /// </summary>
    private static int Launch(string ringdDll, string log, string workingDirectory, params string[] arguments)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new UsageException("devcluster runs ringd through /bin/sh: Linux and macOS only.");
        }

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" > \"$RINGCTL_RINGD_LOG\" 2>&1 < /dev/null");
        start.ArgumentList.Add("ringd");
        start.ArgumentList.Add(RingdLocator.DotnetHost());
        start.ArgumentList.Add(ringdDll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RINGCTL_RINGD_LOG"] = log;
        using var process = Process.Start(start) ?? throw new IOException("ringd did not start.");
        return process.Id;
    }

    private static async Task<string?> WaitListeningAsync(DevClusterState.Node node, TimeSpan patience)
    {
        var uri = RingCore.Client.NodeEndpoint.Parse(node.Name);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (!IsRunning(node.Pid))
            {
                return $"{node.Name} exited at start: {LastLine(node.Log)}";
            }

            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync(uri.Host, uri.Port);
                return null;
            }
            catch (SocketException) when (clock.Elapsed < patience)
            {
                await Task.Delay(Poll);
            }
            catch (SocketException)
            {
                return $"{node.Name} did not listen within the timeout: {LastLine(node.Log)}";
            }
        }
    }

    private static string LastLine(string log)
    {
        try
        {
            return File.ReadLines(log).LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "(its log is empty)";
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="pid"/> runs and is a ringd (on Linux its command line says so: a pid is reused after exit).</summary>
    internal static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            string cmdline = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline";
            return !File.Exists(cmdline) || File.ReadAllText(cmdline).Contains("ringd", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then SIGKILL when the process has not exited after <paramref name="patience"/>; says which stopped it.</summary>
    private static async Task<string> StopAsync(int pid, TimeSpan patience)
    {
        if (!IsRunning(pid))
        {
            return "not running";
        }

        using (var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            if (!IsRunning(pid))
            {
                return "stopped";
            }

            await Task.Delay(100);
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync();
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return "stopped";
        }

        return "killed";
    }
}
