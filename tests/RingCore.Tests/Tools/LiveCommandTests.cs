using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Google.Protobuf;
using RingCore.Grpc.Admin;
using RingCore.Grpc.Client;
using RingCore.Tests.Client;

namespace RingCore.Tests.Tools;

/// <summary>ringctl's live commands against a fake node: exit codes, one-line errors, --json shapes, the requests sent.</summary>
public sealed class LiveCommandTests
{
    private static MemberStatusReply TwoMembers(string self, string other)
    {
        var reply = new MemberStatusReply { Node = self, PartitionCount = 64, RingVersion = 5, Claimant = self };
        reply.Members.Add(new MemberStatusEntry { Name = self, Status = "valid", Reachable = true, Partitions = 32, RingPercent = 50, PendingPercent = 50 });
        reply.Members.Add(new MemberStatusEntry { Name = other, Status = "valid", Reachable = false, Partitions = 32, RingPercent = 50, PendingPercent = 50 });
        return reply;
    }

    [Fact]
    public void An_unreachable_node_is_one_line_and_exit_4()
    {
        string dead = FakeRingNode.DeadAddress();

        var run = RingCtlRun.Of("member-status", "--node", dead, "--secret", "s");

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("", run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"ringctl member-status: node {dead}: unreachable", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_status_json_is_the_reply_in_proto_json_with_every_field()
    {
        await using var node = await FakeRingNode.StartAsync();
        node.On<StatusRequest, MemberStatusReply>("MemberStatus", _ => TwoMembers("n1@" + node.Address, "n2@127.0.0.1:9"));

        var run = RingCtlRun.Of("member-status", "--node", node.Address, "--secret", "s3", "--json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        var root = json.RootElement;
        Assert.Equal("5", root.GetProperty("ringVersion").GetString()); // int64 as a string: the proto3 JSON mapping
        Assert.Equal(64, root.GetProperty("partitionCount").GetInt32());
        var members = root.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(2, members.Count);
        Assert.Equal("valid", members[1].GetProperty("status").GetString());
        Assert.False(members[1].GetProperty("reachable").GetBoolean());
        Assert.Equal(50.0, members[0].GetProperty("ringPercent").GetDouble());
        Assert.Equal(50.0, members[0].GetProperty("pendingPercent").GetDouble());
        Assert.Equal("s3", node.Calls.Single().Secret);
    }

    [Fact]
    public async Task Member_status_table_shows_each_member_up_or_down()
    {
        await using var node = await FakeRingNode.StartAsync();
        node.On<StatusRequest, MemberStatusReply>("MemberStatus", _ => TwoMembers("n1@x:1", "n2@x:2"));

        var run = RingCtlRun.Of("member-status", "--node", node.Address);

        Assert.Equal(0, run.ExitCode);
        var rows = run.TableAfter("Members as n1@x:1");
        Assert.Equal(["n1@x:1", "valid", "up", "32", "50.0%", "50.0%"], rows[0]);
        Assert.Equal("down", rows[1][2]);
        Assert.Contains("Valid: 2 / Members: 2 / Down: 1", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_exit_5()
    {
        await using var node = await FakeRingNode.StartAsync();
        node.Failing("RingStatus", StatusCode.Unauthenticated, "wrong cluster secret");

        var run = RingCtlRun.Of("ring-status", "--node", node.Address, "--secret", "nope");

        Assert.Equal(5, run.ExitCode);
        Assert.Contains("wrong cluster secret", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_change_the_claimant_refuses_is_exit_6_with_its_reason()
    {
        await using var node = await FakeRingNode.StartAsync();
        node.Failing("Commit", StatusCode.FailedPrecondition, "nothing is staged");

        var run = RingCtlRun.Of("cluster", "commit", "--node", node.Address);

        Assert.Equal(6, run.ExitCode);
        Assert.Equal($"ringctl cluster commit: node {node.Address}: refused: nothing is staged", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task Leave_without_a_member_stages_a_leave_of_the_node_asked_and_prints_the_plan()
    {
        await using var node = await FakeRingNode.StartAsync();
        StageRequest? seen = null;
        node.On<StageRequest, PlanReply>("Stage", request =>
        {
            seen = request;
            var plan = new PlanReply { StagedBy = "n1", PartitionCount = 8 };
            plan.Changes.Add(new StagedChange { Kind = ChangeKind.Leave, Member = "n1" });
            plan.Transfers.Add(new Transfer { Partition = 3, From = "n1", To = "n2", Kind = "ownership" });
            return plan;
        });

        var run = RingCtlRun.Of("cluster", "leave", "--node", node.Address);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(ChangeKind.Leave, seen!.Kind);
        Assert.Equal("", seen.Member);
        Assert.Contains("  leave n1", run.OutputLines);
        Assert.Equal(["3", "n1", "n2", "ownership"], run.TableAfter("Transfers a commit would start: 1")[0]);
    }

    [Fact]
    public async Task Replace_sends_the_member_and_its_replacement()
    {
        await using var node = await FakeRingNode.StartAsync();
        StageRequest? seen = null;
        node.On<StageRequest, PlanReply>("Stage", request => { seen = request; return new PlanReply(); });

        var run = RingCtlRun.Of("cluster", "replace", "n2@h:2", "n4@h:4", "--node", node.Address, "--operator", "ops", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal((ChangeKind.Replace, "n2@h:2", "n4@h:4", "ops"), (seen!.Kind, seen.Member, seen.Replacement, seen.Operator));
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(JsonValueKind.Array, json.RootElement.GetProperty("changes").ValueKind);
    }

    [Fact]
    public async Task Transfers_asks_every_member_and_lists_the_one_that_did_not_answer()
    {
        await using var node = await FakeRingNode.StartAsync();
        string dead = "n2@" + FakeRingNode.DeadAddress();
        node.On<StatusRequest, MemberStatusReply>("MemberStatus", _ => TwoMembers("n1@" + node.Address, dead));
        node.On<StatusRequest, TransfersReply>("Transfers", _ =>
        {
            var reply = new TransfersReply { Node = "n1" };
            reply.Running.Add(new TransferProgress { Partition = 7, From = "n1", To = "n2", Kind = "ownership", Objects = 10, Bytes = 2048, BytesPerSecond = 1024 });
            reply.Running.Add(new TransferProgress { Partition = 9, From = "n1", To = "n2", Kind = "ownership", Objects = 12, ObjectsTotal = 40, Bytes = 4096 });
            return reply;
        });

        var run = RingCtlRun.Of("transfers", "--node", node.Address, "--json");
        var text = RingCtlRun.Of("transfers", "--node", node.Address);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("settled").GetBoolean());
        var running = json.RootElement.GetProperty("nodes")[0].GetProperty("running")[0];
        Assert.Equal(7, running.GetProperty("partition").GetInt32());
        Assert.Equal("10", running.GetProperty("objects").GetString());
        Assert.False(running.TryGetProperty("objectsTotal", out _)); // not counted yet
        Assert.Equal("40", json.RootElement.GetProperty("nodes")[0].GetProperty("running")[1].GetProperty("objectsTotal").GetString());
        var rows = text.TableAfter("Running transfers: 2");
        Assert.Equal(["7", "n1", "n2", "ownership", "10"], rows[0].Take(5));
        Assert.Equal(["9", "n1", "n2", "ownership", "12 of 40"], rows[1].Take(5));
        Assert.Equal(dead, json.RootElement.GetProperty("unreachable")[0].GetProperty("node").GetString());
    }

    [Fact]
    public async Task Aae_status_tells_a_built_tree_from_an_empty_partition_and_one_not_built_yet()
    {
        await using var node = await FakeRingNode.StartAsync();
        long builtAt = DateTimeOffset.Parse("2026-12-02T10:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        node.On<StatusRequest, AntiEntropyStatusReply>("AntiEntropyStatus", _ =>
        {
            var reply = new AntiEntropyStatusReply { Node = "n1", Enabled = true };
            reply.Trees.Add(new TreeStatus { Partition = 1, N = 3, Keys = 20, Built = true, BuiltUnixMs = builtAt, Exchanges = 2 });
            reply.Trees.Add(new TreeStatus { Partition = 2, N = 3, Built = true });
            reply.Trees.Add(new TreeStatus { Partition = 3, N = 3, Keys = 5 });
            return reply;
        });

        var run = RingCtlRun.Of("aae-status", "--node", node.Address);

        Assert.Equal(0, run.ExitCode);
        var rows = run.TableAfter("Anti-entropy on n1: enabled, 3 trees");
        Assert.Equal(["1", "3", "20", "2026-12-02 10:00:00Z", "never", "2"], rows[0].Take(6));
        Assert.Equal(["2", "3", "0", "empty"], rows[1].Take(4));
        Assert.Equal(["3", "3", "5", "no"], rows[2].Take(4));
    }

    [Fact]
    public async Task Kv_get_shows_every_sibling_and_the_context_and_exits_1_when_not_found()
    {
        await using var node = await FakeRingNode.StartAsync();
        node.On<GetRequest, GetReply>("Get", request =>
        {
            if (request.Key.ToStringUtf8() == "missing")
            {
                return new GetReply { Found = false };
            }

            var reply = new GetReply { Found = true, Context = ByteString.CopyFrom(1, 2, 3) };
            reply.Values.Add(ByteString.CopyFromUtf8("red"));
            reply.Values.Add(ByteString.CopyFromUtf8("blue"));
            return reply;
        });

        var text = RingCtlRun.Of("kv", "get", "colors", "k", "--node", node.Address);
        var json = RingCtlRun.Of("kv", "get", "colors", "k", "--node", node.Address, "--json");
        var missing = RingCtlRun.Of("kv", "get", "colors", "missing", "--node", node.Address);

        Assert.Equal(0, text.ExitCode);
        Assert.Equal(["siblings: 2", "value: red", "value: blue", "context: AQID"], text.OutputLines);
        using var document = JsonDocument.Parse(json.Output);
        Assert.True(document.RootElement.GetProperty("found").GetBoolean());
        Assert.Equal(["cmVk", "Ymx1ZQ=="], document.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("AQID", document.RootElement.GetProperty("context").GetString());
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("not found", missing.OutputLines[0]);
    }

    [Fact]
    public async Task Kv_put_sends_the_hex_value_and_the_context_given()
    {
        await using var node = await FakeRingNode.StartAsync();
        PutRequest? seen = null;
        node.On<PutRequest, PutReply>("Put", request => { seen = request; return new PutReply { Context = ByteString.CopyFrom(9) }; });

        var run = RingCtlRun.Of("kv", "put", "b", "k", "00ff", "--hex", "--context", "AQID", "--w", "2", "--node", node.Address);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(new byte[] { 0x00, 0xff }, seen!.Value.ToByteArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, seen.Context.ToByteArray());
        Assert.Equal(2u, seen.Quorum.W);
        Assert.Equal("context: CQ==", run.OutputLines[^1]);
    }

    [Fact]
    public async Task Actor_ask_sends_the_json_and_prints_the_reply()
    {
        await using var node = await FakeRingNode.StartAsync();
        AskRequest? seen = null;
        node.On<AskRequest, AskReply>("Ask", request => { seen = request; return new AskReply { Payload = ByteString.CopyFromUtf8("{\"value\":5}"), ReplyType = "T" }; });

        var run = RingCtlRun.Of("actor", "ask", "counter", "c1", "Add", "{\"by\":5}", "--node", node.Address, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(("counter", "c1", "Add", "{\"by\":5}"), (seen!.ActorType, seen.Key.ToStringUtf8(), seen.MessageType, seen.Payload.ToStringUtf8()));
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(5, json.RootElement.GetProperty("reply").GetProperty("value").GetInt32());
        Assert.Equal("T", json.RootElement.GetProperty("replyType").GetString());
    }

    [Fact]
    public async Task Actor_tell_sends_the_json_and_says_it_was_accepted()
    {
        await using var node = await FakeRingNode.StartAsync();
        TellRequest? seen = null;
        node.On<TellRequest, TellReply>("Tell", request => { seen = request; return new TellReply { Accepted = 1 }; });

        var run = RingCtlRun.Of("actor", "tell", "counter", "c1", "Add", "{\"by\":2}", "--node", node.Address, "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(("counter", "c1", "Add", "{\"by\":2}"), (seen!.ActorType, seen.Key.ToStringUtf8(), seen.MessageType, seen.Payload.ToStringUtf8()));
        using var json = JsonDocument.Parse(run.Output);
        Assert.Equal(1, json.RootElement.GetProperty("accepted").GetInt32());
    }

    [Theory]
    [InlineData("kv", "get", "b")] // no key
    [InlineData("kv", "put", "b", "k")] // no value
    [InlineData("kv", "put", "b", "k", "v", "--context", "!!")] // not base64
    [InlineData("kv", "get", "b", "k", "--r", "0")]
    [InlineData("member-status", "--node", "nohost")]
    [InlineData("member-status", "--timeout", "0")]
    [InlineData("actor", "ask", "counter", "c1", "Add", "{not json")]
    [InlineData("actor", "tell", "counter", "", "Add", "{}")] // empty key
    [InlineData("cluster", "replace", "n2@h:2")] // no replacement
    [InlineData("devcluster", "up", "--nodes", "0")]
    [InlineData("devcluster", "up", "--ring-size", "7")]
    public void Bad_arguments_are_one_line_and_exit_2_without_calling_a_node(params string[] args)
    {
        bool takesNode = args[0] != "devcluster" && !args.Contains("--node");
        var run = RingCtlRun.Of([.. args, .. takesNode ? ["--node", FakeRingNode.DeadAddress()] : Array.Empty<string>()]);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("ringctl ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("unreachable", line, StringComparison.Ordinal);
    }
}
