using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RingCore.Grpc.Client;
using RingCore.Membership;
using static RingCore.Tests.Grpc.GrpcTestPeers;

namespace RingCore.Tests.Grpc;

/// <summary>The key/value client service (RingKv) through its generated client: siblings, contexts, deletes, and the status of each bad request.</summary>
public sealed class KvServiceTests
{
    private static ByteString Text(string text) => ByteString.CopyFromUtf8(text);

    private static string[] Values(IEnumerable<ByteString> values) => [.. values.Select(value => value.ToStringUtf8()).Order()];

    [Fact]
    public async Task Two_puts_without_context_make_siblings_a_put_with_the_gets_context_replaces_them_and_a_delete_removes_it()
    {
        await using var node = await ServiceNode.StartAsync("kv");
        var key = Text("k");
        await node.Kv.PutAsync(new PutRequest { Bucket = "b", Key = key, Value = Text("one") });
        await node.Kv.PutAsync(new PutRequest { Bucket = "b", Key = key, Value = Text("two") });

        var siblings = await node.Kv.GetAsync(new GetRequest { Bucket = "b", Key = key });
        Assert.True(siblings.Found);
        Assert.Equal(["one", "two"], Values(siblings.Values));

        var resolved = await node.Kv.PutAsync(new PutRequest { Bucket = "b", Key = key, Value = Text("three"), Context = siblings.Context, ReturnBody = true });
        Assert.Equal(["three"], Values(resolved.Values));
        var read = await node.Kv.GetAsync(new GetRequest { Bucket = "b", Key = key });
        Assert.Equal(["three"], Values(read.Values));

        // return_body shows a concurrent sibling the write did not see.
        var concurrent = await node.Kv.PutAsync(new PutRequest { Bucket = "b", Key = key, Value = Text("four"), ReturnBody = true });
        Assert.Equal(["four", "three"], Values(concurrent.Values));
        Assert.False(concurrent.Context.IsEmpty);

        await node.Kv.DeleteAsync(new DeleteRequest { Bucket = "b", Key = key, Context = concurrent.Context });
        var deleted = await node.Kv.GetAsync(new GetRequest { Bucket = "b", Key = key });
        Assert.False(deleted.Found);
        Assert.Empty(deleted.Values);
    }

    [Fact]
    public async Task Bad_requests_are_invalid_argument_and_store_nothing()
    {
        await using var node = await ServiceNode.StartAsync("kv-bad");
        async Task<StatusCode> Put(PutRequest request)
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () => await node.Kv.PutAsync(request));
            return error.StatusCode;
        }

        Assert.Equal(StatusCode.InvalidArgument, await Put(new PutRequest { Bucket = "b", Key = Text("k"), Value = Text("v"), Context = ByteString.CopyFrom(1, 2, 3, 4) }));
        Assert.Equal(StatusCode.InvalidArgument, await Put(new PutRequest { Bucket = "b", Key = Text("k"), Value = ByteString.CopyFrom(new byte[RingCore.Node.RingNode.MaxValueBytes + 1]) }));
        Assert.Equal(StatusCode.InvalidArgument, await Put(new PutRequest { Bucket = "", Key = Text("k"), Value = Text("v") }));
        Assert.Equal(StatusCode.InvalidArgument, await Put(new PutRequest { Bucket = "b", Key = ByteString.Empty, Value = Text("v") }));
        Assert.Equal(StatusCode.InvalidArgument, await Put(new PutRequest { Bucket = GrpcCluster.CounterType, Key = Text("k"), Value = Text("v") }));
        Assert.Equal(StatusCode.InvalidArgument, await Put(new PutRequest { Bucket = "b", Key = Text("k"), Value = Text("v"), Quorum = new Quorum { W = 9 } }));

        var read = await node.Kv.GetAsync(new GetRequest { Bucket = "b", Key = Text("k") });
        Assert.False(read.Found);
    }

    [Fact]
    public async Task A_quorum_that_cannot_be_met_is_unavailable_and_the_node_goes_on_serving()
    {
        await using var cluster = await GrpcCluster.StartAsync(2, partitions: 8,
            configure: options => options.FailureDetection.Mode = FailureDetectionMode.TransportReachability);
        var (n1, n2) = (cluster.Nodes[0], cluster.Nodes[1]);
        cluster.Transports[0].Serve(n1);
        using var channel = GrpcChannel.ForAddress(cluster.Transports[0].ListenAddress);
        var kv = new RingKv.RingKvClient(channel);
        await Eventually(() => n1.Watcher.Snapshot().Up.All(up => up), "n1 sees n2 up over its stream");
        await kv.PutAsync(new PutRequest { Bucket = "b", Key = Text("before"), Value = Text("v"), Quorum = new Quorum { W = 2 } });

        await n2.DisposeAsync();
        await cluster.Transports[1].DisposeAsync();
        int down = n1.Ring.IndexOfMember(n2.Name);
        await Eventually(() => !n1.Watcher.Snapshot().Up[down], "n1 marked the stopped node down");

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await kv.PutAsync(new PutRequest { Bucket = "b", Key = Text("k"), Value = Text("v"), Quorum = new Quorum { W = 2, Pw = 2 } }));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);

        var read = await kv.GetAsync(new GetRequest { Bucket = "b", Key = Text("before"), Quorum = new Quorum { R = 1 } });
        Assert.Equal(["v"], Values(read.Values));
    }
}
