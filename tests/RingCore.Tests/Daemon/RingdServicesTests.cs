using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using RingCore.Grpc.Admin;
using RingCore.Grpc.Client;
using RingCore.IntegrationTests.Processes;
using RingCore.Tests.Storage.Faster;

namespace RingCore.Tests.Daemon;

/// <summary>A real ringd's admin and client services through the generated clients, as any client in any language uses them (docs/ringd.md).</summary>
public sealed class RingdServicesTests : IDisposable
{
    private const string Increment = "RingCore.Daemon.Actors.Counter.Increment";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_client_puts_gets_and_counts_with_the_built_in_counter_which_keeps_its_value_across_a_restart()
    {
        int port = FreePorts.Take(1)[0];
        string[] arguments = ["--name", $"svc@127.0.0.1:{port}", "--secret", "ringd-test-secret", "--ring-size", "8"];
        var secret = new Metadata { { "ringcore-secret", "ringd-test-secret" } };
        using (var ringd = RingdProcess.Start(_directory.Path, environment: null, arguments))
        {
            await ringd.ListeningPortAsync();
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            var kv = new RingKv.RingKvClient(channel);
            var actors = new RingActors.RingActorsClient(channel);

            await kv.PutAsync(new PutRequest { Bucket = "b", Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") });
            Assert.Equal("v", Assert.Single((await kv.GetAsync(new GetRequest { Bucket = "b", Key = ByteString.CopyFromUtf8("k") })).Values).ToStringUtf8());

            Assert.Equal("2", (await actors.AskAsync(Ask(Increment, """{"by":2}"""))).Payload.ToStringUtf8());
            var reply = await actors.AskAsync(Ask(Increment, """{"by":3}"""));
            Assert.Equal("5", reply.Payload.ToStringUtf8());
            Assert.Equal("System.Int64", reply.ReplyType);
            await actors.AskAsync(new AskRequest
            {
                ActorType = "register",
                Key = ByteString.CopyFromUtf8("r"),
                MessageType = "RingCore.Daemon.Actors.Register.Set",
                Payload = ByteString.CopyFromUtf8("""{"value":"aGVsbG8="}"""),
            });
            var register = await actors.AskAsync(new AskRequest
            {
                ActorType = "register",
                Key = ByteString.CopyFromUtf8("r"),
                MessageType = "RingCore.Daemon.Actors.Register.Get",
                Payload = ByteString.CopyFromUtf8("{}"),
            });
            Assert.Equal("\"aGVsbG8=\"", register.Payload.ToStringUtf8());

            var members = await new RingAdmin.RingAdminClient(channel).MemberStatusAsync(new StatusRequest(), secret);
            Assert.Equal($"svc@127.0.0.1:{port}", Assert.Single(members.Members).Name);

            ringd.Terminate();
            Assert.Equal(0, await ringd.ExitCodeAsync());
        }

        using (var restarted = RingdProcess.Start(_directory.Path, environment: null, arguments))
        {
            await restarted.ListeningPortAsync();
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            var actors = new RingActors.RingActorsClient(channel);
            Assert.Equal("6", (await actors.AskAsync(Ask(Increment, "{}"))).Payload.ToStringUtf8());
            Assert.Equal("6", (await actors.AskAsync(Ask("RingCore.Daemon.Actors.Counter.Get", "{}"))).Payload.ToStringUtf8());
            restarted.Terminate();
            Assert.Equal(0, await restarted.ExitCodeAsync());
        }
    }

    private static AskRequest Ask(string messageType, string json) => new()
    {
        ActorType = "counter",
        Key = ByteString.CopyFromUtf8("visits"),
        MessageType = messageType,
        Payload = ByteString.CopyFromUtf8(json),
    };
}
