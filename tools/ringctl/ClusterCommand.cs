using System.CommandLine;
using System.Globalization;
using RingCore.Grpc.Admin;
using Spectre.Console;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// <c>ringctl cluster</c>: riak-admin's staged membership changes on a live cluster, through the
/// admin service. <c>join</c> runs on the joining node; <c>leave</c>, <c>force-remove</c> and
/// <c>replace</c> stage a change at the claimant and print the plan; <c>plan</c> shows it,
/// <c>commit</c> applies it, <c>clear</c> drops it.
/// </summary>
internal static class ClusterCommand
{
    private const string Name = "cluster";

    public static Command Create(CommandContext context)
    {
        var command = new Command(Name, "Stage, plan and commit membership changes on a live cluster (riak-admin cluster).");
        command.Subcommands.Add(Join(context));
        command.Subcommands.Add(Stage(context, "leave", ChangeKind.Leave, "Stage a leave: the member hands off its partitions, then exits (default: the node asked)."));
        command.Subcommands.Add(Stage(context, "force-remove", ChangeKind.ForceRemove, "Stage a force-remove: the member's partitions go to others without handoff (a node that is gone)."));
        command.Subcommands.Add(Stage(context, "replace", ChangeKind.Replace, "Stage a replace: a joining node takes all of the member's partitions."));
        command.Subcommands.Add(Plan(context));
        command.Subcommands.Add(Commit(context));
        command.Subcommands.Add(Clear(context));
        return command;
    }

    private static Option<string> OperatorOption() => new("--operator")
    {
        HelpName = "name",
        Description = "Who stages, plans and commits: another operator's staged changes refuse yours. Default: the node asked.",
    };

    private static Command Join(CommandContext context)
    {
        const string Path = "cluster join";
        var target = new NodeTarget(context);
        var seed = new Argument<string>("seed") { Description = "Any member of the cluster to join (name@host:port)." };
        var command = new Command("join", "Ask the node given by --node (alone on its ring) to join the cluster of <seed>; commit admits it.");
        command.Arguments.Add(seed);
        target.AddTo(command);
        command.SetAction(parse => context.RunLive(Path, async () =>
        {
            var call = target.Read(parse);
            string seedName = RequireName("seed", parse.GetValue(seed));
            using var connection = new AdminConnection(call);
            var reply = await connection.Admin.JoinAsync(new JoinRequest { Seed = seedName }, connection.Call());
            if (call.Json)
            {
                JsonOutput.Write(context.Output, reply);
            }
            else
            {
                context.Output.WriteLine($"{reply.Node} asked to join the cluster of {seedName}: run 'ringctl cluster plan', then 'ringctl cluster commit'.");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Stage(CommandContext context, string name, ChangeKind kind, string description)
    {
        string path = $"{Name} {name}";
        var target = new NodeTarget(context);
        var operatorName = OperatorOption();
        var member = new Argument<string>("member")
        {
            Description = kind == ChangeKind.Leave ? "The member that leaves (default: the node asked)." : "The member (name@host:port).",
            Arity = kind == ChangeKind.Leave ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
        };
        var replacement = new Argument<string>("replacement") { Description = "The node (joined, not yet committed) that takes the member's partitions." };
        var command = new Command(name, description);
        command.Arguments.Add(member);
        if (kind == ChangeKind.Replace)
        {
            command.Arguments.Add(replacement);
        }

        target.AddTo(command);
        command.Options.Add(operatorName);
        command.SetAction(parse => context.RunLive(path, async () =>
        {
            var call = target.Read(parse);
            var request = new StageRequest { Kind = kind, Operator = parse.GetValue(operatorName) ?? "" };
            string? memberName = parse.GetValue(member);
            request.Member = kind == ChangeKind.Leave && memberName is null ? "" : RequireName("member", memberName);
            if (kind == ChangeKind.Replace)
            {
                request.Replacement = RequireName("replacement", parse.GetValue(replacement));
            }

            using var connection = new AdminConnection(call);
            var plan = await connection.Admin.StageAsync(request, connection.Call());
            WritePlan(context, call.Json, plan);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Plan(CommandContext context)
    {
        var target = new NodeTarget(context);
        var operatorName = OperatorOption();
        var command = new Command("plan", "Show the staged changes and the transfers a commit would start.");
        target.AddTo(command);
        command.Options.Add(operatorName);
        command.SetAction(parse => context.RunLive("cluster plan", async () =>
        {
            var call = target.Read(parse);
            using var connection = new AdminConnection(call);
            var plan = await connection.Admin.PlanAsync(new PlanRequest { Operator = parse.GetValue(operatorName) ?? "" }, connection.Call());
            WritePlan(context, call.Json, plan);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Commit(CommandContext context)
    {
        var target = new NodeTarget(context);
        var operatorName = OperatorOption();
        var command = new Command("commit", "Apply the staged changes: the claimant installs the new ring and transfers start.");
        target.AddTo(command);
        command.Options.Add(operatorName);
        command.SetAction(parse => context.RunLive("cluster commit", async () =>
        {
            var call = target.Read(parse);
            using var connection = new AdminConnection(call);
            var reply = await connection.Admin.CommitAsync(new CommitRequest { Operator = parse.GetValue(operatorName) ?? "" }, connection.Call());
            if (call.Json)
            {
                JsonOutput.Write(context.Output, reply);
                return ExitCodes.Success;
            }

            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Committed: ring version {reply.RingVersion}, {reply.Transfers.Count} transfers started (follow them with 'ringctl transfers')."));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Clear(CommandContext context)
    {
        var target = new NodeTarget(context);
        var operatorName = OperatorOption();
        var command = new Command("clear", "Drop every staged change.");
        target.AddTo(command);
        command.Options.Add(operatorName);
        command.SetAction(parse => context.RunLive("cluster clear", async () =>
        {
            var call = target.Read(parse);
            using var connection = new AdminConnection(call);
            var reply = await connection.Admin.ClearAsync(new ClearRequest { Operator = parse.GetValue(operatorName) ?? "" }, connection.Call());
            if (call.Json)
            {
                JsonOutput.Write(context.Output, reply);
            }
            else
            {
                context.Output.WriteLine("Cleared: nothing is staged.");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static string RequireName(string what, string? name) =>
        string.IsNullOrWhiteSpace(name) ? throw new UsageException($"<{what}> must not be empty.") : name.Trim();

    /// <summary>The plan as riak-admin cluster plan prints it: the staged changes, the members before and after, the transfers.</summary>
    private static void WritePlan(CommandContext context, bool json, PlanReply plan)
    {
        if (json)
        {
            JsonOutput.Write(context.Output, plan);
            return;
        }

        var output = context.Output;
        if (plan.Changes.Count == 0)
        {
            output.WriteLine("Nothing is staged.");
        }
        else
        {
            output.WriteLine($"Staged by {plan.StagedBy}:");
            foreach (var change in plan.Changes)
            {
                string replacement = change.Kind == ChangeKind.Replace ? $" -> {change.Replacement}" : "";
                output.WriteLine($"  {KindName(change.Kind)} {change.Member}{replacement}");
            }
        }

        var members = new Table().RoundedBorder().AddColumns("member", "status", "partitions now", "after the plan");
        foreach (var member in plan.Members)
        {
            members.AddRow(Markup.Escape(member.Name), member.Status, Number(member.Partitions), Number(member.PlannedPartitions));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Members (ring of {plan.PartitionCount} partitions):"));
        context.Console.Write(members);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Transfers a commit would start: {plan.Transfers.Count}"));
        if (plan.Transfers.Count > 0)
        {
            context.Console.Write(TransferTable(plan.Transfers));
        }
    }

    public static Table TransferTable(IEnumerable<Transfer> transfers)
    {
        var table = new Table().RoundedBorder().AddColumns("partition", "from", "to", "kind");
        foreach (var transfer in transfers)
        {
            table.AddRow(Number(transfer.Partition), Markup.Escape(transfer.From), Markup.Escape(transfer.To), Markup.Escape(transfer.Kind));
        }

        return table;
    }

    public static string KindName(ChangeKind kind) => kind switch
    {
        ChangeKind.Join => "join",
        ChangeKind.Leave => "leave",
        ChangeKind.ForceRemove => "force-remove",
        ChangeKind.Replace => "replace",
        _ => "unknown",
    };

    private static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
