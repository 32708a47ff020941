using System.CommandLine;
using System.Globalization;
using RingCore.Grpc.Admin;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// riak-admin's status commands on a live node: <c>member-status</c> (each member's status, ring
/// share, pending share, up or down), <c>ring-status</c> (claimant, ring version, pending
/// transfers) and <c>aae-status</c> (the node's hash trees).
/// </summary>
internal static class StatusCommands
{
    public static Command MemberStatus(CommandContext context)
    {
        var target = new NodeTarget(context);
        var command = new Command("member-status", "Show each member: status, ring share now and after the pending transfers, up or down (as the node asked sees it).");
        target.AddTo(command);
        command.SetAction(parse => context.RunLive("member-status", async () =>
        {
            var call = target.Read(parse);
            using var connection = new AdminConnection(call);
            var reply = await connection.Admin.MemberStatusAsync(new StatusRequest(), connection.Call());
            if (call.Json)
            {
                JsonOutput.Write(context.Output, reply);
                return ExitCodes.Success;
            }

            var table = new Table().RoundedBorder().AddColumns("member", "status", "reachable", "partitions", "ring", "pending");
            foreach (var member in reply.Members)
            {
                table.AddRow(Markup.Escape(member.Name), member.Status, member.Reachable ? "up" : "down", Number(member.Partitions),
                    Percent(member.RingPercent), Percent(member.PendingPercent));
            }

            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Members as {reply.Node} sees them (ring version {reply.RingVersion}, {reply.PartitionCount} partitions, claimant {Or(reply.Claimant, "none")}):"));
            context.Console.Write(table);
            int valid = reply.Members.Count(m => m.Status == "valid");
            int down = reply.Members.Count(m => !m.Reachable);
            context.Output.WriteLine($"Valid: {valid} / Members: {reply.Members.Count} / Down: {down}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command RingStatus(CommandContext context)
    {
        var target = new NodeTarget(context);
        var command = new Command("ring-status", "Show the claimant, the ring version and the pending transfers.");
        target.AddTo(command);
        command.SetAction(parse => context.RunLive("ring-status", async () =>
        {
            var call = target.Read(parse);
            using var connection = new AdminConnection(call);
            var reply = await connection.Admin.RingStatusAsync(new StatusRequest(), connection.Call());
            if (call.Json)
            {
                JsonOutput.Write(context.Output, reply);
                return ExitCodes.Success;
            }

            var output = context.Output;
            output.WriteLine($"Node: {reply.Node}");
            output.WriteLine($"Claimant: {Or(reply.Claimant, "none")}{(reply.Claimant.Length > 0 ? reply.ClaimantReachable ? " (up)" : " (down)" : "")}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ring version: {reply.RingVersion}, {reply.PartitionCount} partitions, cluster id {reply.ClusterId:x16}"));
            output.WriteLine($"Unreachable: {(reply.Unreachable.Count == 0 ? "none" : string.Join(", ", reply.Unreachable))}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Pending transfers: {reply.Pending.Count}"));
            if (reply.Pending.Count > 0)
            {
                context.Console.Write(ClusterCommand.TransferTable(reply.Pending));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command AntiEntropyStatus(CommandContext context)
    {
        var target = new NodeTarget(context);
        var command = new Command("aae-status", "Show the node's anti-entropy hash trees: keys, when built, last exchange, keys repaired.");
        target.AddTo(command);
        command.SetAction(parse => context.RunLive("aae-status", async () =>
        {
            var call = target.Read(parse);
            using var connection = new AdminConnection(call);
            var reply = await connection.Admin.AntiEntropyStatusAsync(new StatusRequest(), connection.Call());
            if (call.Json)
            {
                JsonOutput.Write(context.Output, reply);
                return ExitCodes.Success;
            }

            context.Output.WriteLine($"Anti-entropy on {reply.Node}: {(reply.Enabled ? "enabled" : "disabled")}, {reply.Trees.Count} trees");
            var table = new Table().RoundedBorder().AddColumns("partition", "n", "keys", "built", "last exchange", "exchanges", "keys repaired");
            foreach (var tree in reply.Trees)
            {
                table.AddRow(Number(tree.Partition), Number(tree.N), Number(tree.Keys), Built(tree),
                    Time(tree.LastExchangeUnixMs), Number(tree.Exchanges), Number(tree.KeysRepaired));
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>When the tree was built; "empty" for a partition with no data here (nothing to build).</summary>
    private static string Built(TreeStatus tree) => !tree.Built ? "no" : tree.BuiltUnixMs > 0 ? Time(tree.BuiltUnixMs) : "empty";

    public static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Time(long unixMs) =>
        unixMs <= 0 ? "never" : DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Or(string value, string fallback) => value.Length == 0 ? fallback : value;
}
