using System.Diagnostics;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using RingCore.Client;
using RingCore.Grpc.Client;

namespace RingCore.Tests.Client;

public sealed class RingClientTests
{
    private static GetReply Siblings(params string[] values)
    {
        var reply = new GetReply { Found = true, Context = ByteString.CopyFromUtf8("ctx") };
        reply.Values.AddRange(values.Select(ByteString.CopyFromUtf8));
        return reply;
    }

    [Fact]
    public async Task A_node_that_refuses_the_connection_is_skipped_and_the_next_one_answers()
    {
        await using var live = await FakeRingNode.StartAsync();
        live.On<GetRequest, GetReply>("Get", _ => Siblings("a", "b"));
        string dead = FakeRingNode.DeadAddress();
        await using var client = new RingClient(new RingClientOptions { Nodes = [dead, $"n2@{live.Address}"] });

        var result = await client.GetAsync("carts", "42");

        Assert.True(result.Found);
        Assert.True(result.HasSiblings);
        Assert.Equal(["a", "b"], result.Values.Select(v => Encoding.UTF8.GetString(v.Span)));
        Assert.Equal("ctx", Encoding.UTF8.GetString(result.Context.Span));
        Assert.Equal($"n2@{live.Address}", client.PreferredNode);

        await client.GetAsync("carts", "43"); // straight to the node that answered
        Assert.Equal(2, live.CallsTo("Get"));
    }

    [Fact]
    public async Task An_unavailable_answer_moves_the_call_to_the_next_node()
    {
        await using var stopping = await FakeRingNode.StartAsync();
        await using var live = await FakeRingNode.StartAsync();
        stopping.Failing("Put", StatusCode.Unavailable, "node stopping");
        live.On<PutRequest, PutReply>("Put", request => new PutReply { Context = ByteString.CopyFromUtf8("after:" + request.Value.ToStringUtf8()) });
        await using var client = new RingClient(stopping.Address, live.Address);

        var result = await client.PutAsync("b", "k", Encoding.UTF8.GetBytes("v"));

        Assert.Equal("after:v", Encoding.UTF8.GetString(result.Context.Span));
        Assert.Equal(1, stopping.CallsTo("Put"));
        Assert.Equal(1, live.CallsTo("Put"));
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, typeof(RingRequestRejectedException))]
    [InlineData(StatusCode.FailedPrecondition, typeof(RingRequestRejectedException))]
    [InlineData(StatusCode.Unauthenticated, typeof(RingAuthenticationException))]
    [InlineData(StatusCode.Aborted, typeof(RingActorException))]
    public async Task A_refused_request_is_not_retried_and_says_why(StatusCode status, Type expected)
    {
        await using var first = await FakeRingNode.StartAsync();
        await using var second = await FakeRingNode.StartAsync();
        first.Failing("Ask", status, "the reason");
        second.On<AskRequest, AskReply>("Ask", _ => new AskReply());
        await using var client = new RingClient(first.Address, second.Address);

        var failure = await Assert.ThrowsAnyAsync<RingClientException>(() => client.AskAsync("counter", "k"u8.ToArray(), "Inc", "{}"u8.ToArray()));

        Assert.IsType(expected, failure);
        Assert.Equal(status, failure.Status);
        Assert.Equal(first.Address, failure.Node);
        Assert.Contains("the reason", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, second.CallsTo("Ask"));
    }

    [Fact]
    public async Task Every_node_down_is_one_unavailable_exception_with_each_attempt()
    {
        string[] dead = [FakeRingNode.DeadAddress(), FakeRingNode.DeadAddress()];
        await using var client = new RingClient(new RingClientOptions { Nodes = dead, MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var failure = await Assert.ThrowsAsync<RingUnavailableException>(() => client.DeleteAsync("b", "k"));

        Assert.Equal([dead[0], dead[1], dead[0]], failure.Attempts.Select(a => a.Node));
        Assert.All(failure.Attempts, a => Assert.Equal(StatusCode.Unavailable, a.Status));
    }

    [Fact]
    public async Task The_secret_goes_in_every_call_and_none_without_one()
    {
        await using var node = await FakeRingNode.StartAsync();
        node.On<DeleteRequest, DeleteReply>("Delete", _ => new DeleteReply());
        await using (var client = new RingClient(new RingClientOptions { Nodes = [node.Address], Secret = "s3cret" }))
        {
            await client.DeleteAsync("b", "k");
        }

        await using (var client = new RingClient(node.Address))
        {
            await client.DeleteAsync("b", "k");
        }

        Assert.Equal(["s3cret", null], node.Calls.Select(c => c.Secret));
    }

    [Fact]
    public async Task A_node_slower_than_the_deadline_fails_the_call_with_a_timeout_and_no_retry()
    {
        await using var slow = await FakeRingNode.StartAsync();
        await using var other = await FakeRingNode.StartAsync();
        slow.OnAsync<GetRequest, GetReply>("Get", async (_, call) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), call.CancellationToken);
            return new GetReply();
        });
        other.On<GetRequest, GetReply>("Get", _ => new GetReply());
        await using var client = new RingClient(new RingClientOptions { Nodes = [slow.Address, other.Address], Timeout = TimeSpan.FromMilliseconds(300) });

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<RingTimeoutException>(() => client.GetAsync("b", "k"));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.Equal(slow.Address, failure.Node);
        Assert.Equal(0, other.CallsTo("Get"));
    }

    private sealed record Increment(int By);

    private sealed record Total(long Value);

    [Fact]
    public async Task A_typed_ask_sends_json_under_the_message_types_full_name_and_reads_the_reply()
    {
        await using var node = await FakeRingNode.StartAsync();
        var seen = new List<AskRequest>();
        node.On<AskRequest, AskReply>("Ask", request =>
        {
            seen.Add(request);
            return new AskReply { Payload = ByteString.CopyFromUtf8("{\"Value\":7}"), ReplyType = "Total" };
        });
        await using var client = new RingClient(node.Address);

        var total = await client.AskAsync<Increment, Total>("counter", "c1", new Increment(3));
        await client.AskAsync<Increment, Total>("counter", "c1", new Increment(4), messageType: "Counter.Add");

        Assert.Equal(new Total(7), total);
        Assert.Equal([typeof(Increment).FullName, "Counter.Add"], seen.Select(r => r.MessageType));
        Assert.Equal("counter", seen[0].ActorType);
        Assert.Equal("c1", seen[0].Key.ToStringUtf8());
        Assert.Equal(["{\"By\":3}", "{\"By\":4}"], seen.Select(r => r.Payload.ToStringUtf8()));
    }

    [Fact]
    public async Task A_tell_stream_delivers_its_tells_in_order_and_returns_the_count_accepted()
    {
        await using var node = await FakeRingNode.StartAsync();
        List<TellRequest>? seen = null;
        node.On<List<TellRequest>, TellReply>("TellStream", tells =>
        {
            seen = tells;
            return new TellReply { Accepted = (ulong)tells.Count };
        });
        await using var client = new RingClient(new RingClientOptions { Nodes = [node.Address], Secret = "s" });

        await using var stream = client.OpenTellStream();
        for (int i = 0; i < 3; i++)
        {
            await stream.TellAsync("counter", Encoding.UTF8.GetBytes($"k{i}"), "Inc", "{}"u8.ToArray());
        }

        Assert.Equal(3, await stream.CompleteAsync());
        Assert.Equal(["k0", "k1", "k2"], seen!.Select(t => t.Key.ToStringUtf8()));
        Assert.Equal("s", node.Calls.Single().Secret);
    }

    [Theory]
    [InlineData("127.0.0.1:8101", "http://127.0.0.1:8101/")]
    [InlineData("n1@127.0.0.1:8101", "http://127.0.0.1:8101/")]
    [InlineData("n1@[::1]:8101", "http://[::1]:8101/")]
    [InlineData("https://node.example:443", "https://node.example/")]
    public void Node_addresses_are_dialled_at_their_host_and_port(string node, string expected) =>
        Assert.Equal(expected, NodeEndpoint.Parse(node).ToString());

    [Theory]
    [InlineData("n1@127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("host:99999")]
    public void A_node_address_without_a_valid_port_is_refused_when_the_client_is_made(string node) =>
        Assert.Throws<ArgumentException>(() => new RingClient(node));
}
