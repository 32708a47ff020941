using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RingCore.Grpc.Admin;
using RingCore.Grpc.Client;
using RingCore.IntegrationTests.Processes;

namespace RingCore.Tests.Client;

/// <summary>
/// A stand-in node on Kestrel (h2c on 127.0.0.1, a free port) serving the generated bases of the
/// client and admin services: each call is recorded with the secret it carried, and answered by
/// the handler a test set for its method (or UNIMPLEMENTED).
/// </summary>
internal sealed class FakeRingNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRingNode(WebApplication app, int port)
    {
        _app = app;
        Address = $"127.0.0.1:{port}";
    }

    /// <summary>host:port.</summary>
    public string Address { get; }

    /// <summary>Every call: its method name and the ringcore-secret it carried.</summary>
    public ConcurrentQueue<(string Method, string? Secret)> Calls { get; } = new();

    public ConcurrentDictionary<string, Func<object, ServerCallContext, Task<object>>> Handlers { get; } = new();

    public int CallsTo(string method) => Calls.Count(c => c.Method == method);

    /// <summary>Answers <paramref name="method"/> with <paramref name="handler"/>.</summary>
    public FakeRingNode On<TRequest, TReply>(string method, Func<TRequest, TReply> handler)
    {
        Handlers[method] = (request, _) => Task.FromResult<object>(handler((TRequest)request)!);
        return this;
    }

    /// <summary>Answers <paramref name="method"/> with <paramref name="handler"/>, which may wait.</summary>
    public FakeRingNode OnAsync<TRequest, TReply>(string method, Func<TRequest, ServerCallContext, Task<TReply>> handler)
    {
        Handlers[method] = async (request, context) => (await handler((TRequest)request, context))!;
        return this;
    }

    /// <summary>Fails <paramref name="method"/> with <paramref name="status"/>.</summary>
    public FakeRingNode Failing(string method, StatusCode status, string detail = "refused by the fake") =>
        On<object, object>(method, _ => throw new RpcException(new Status(status, detail)));

    public static async Task<FakeRingNode> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<Holder>();
        var app = builder.Build();
        app.MapGrpcService<Kv>();
        app.MapGrpcService<Actors>();
        app.MapGrpcService<Admin>();
        await app.StartAsync();
        var address = app.Urls.Single();
        var node = new FakeRingNode(app, new Uri(address).Port);
        app.Services.GetRequiredService<Holder>().Node = node;
        return node;
    }

    /// <summary>host:port of a port on 127.0.0.1 where nothing listens (connection refused).</summary>
    /// <remarks>From <see cref="FreePorts"/>: a port the kernel chose and the test released could be given to another test's listener meanwhile.</remarks>
    public static string DeadAddress() => $"127.0.0.1:{FreePorts.Take(1)[0]}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<TReply> HandleAsync<TReply>(string method, object request, ServerCallContext context)
    {
        Calls.Enqueue((method, context.RequestHeaders.GetValue("ringcore-secret")));
        if (!Handlers.TryGetValue(method, out var handler))
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, $"the fake does not answer {method}"));
        }

        return (TReply)await handler(request, context);
    }

    private sealed class Holder
    {
        public FakeRingNode Node { get; set; } = null!;
    }

    private sealed class Kv(Holder holder) : RingKv.RingKvBase
    {
        public override Task<GetReply> Get(GetRequest request, ServerCallContext context) => holder.Node.HandleAsync<GetReply>("Get", request, context);

        public override Task<PutReply> Put(PutRequest request, ServerCallContext context) => holder.Node.HandleAsync<PutReply>("Put", request, context);

        public override Task<DeleteReply> Delete(DeleteRequest request, ServerCallContext context) => holder.Node.HandleAsync<DeleteReply>("Delete", request, context);
    }

    private sealed class Actors(Holder holder) : RingActors.RingActorsBase
    {
        public override Task<AskReply> Ask(AskRequest request, ServerCallContext context) => holder.Node.HandleAsync<AskReply>("Ask", request, context);

        public override Task<TellReply> Tell(TellRequest request, ServerCallContext context) => holder.Node.HandleAsync<TellReply>("Tell", request, context);

        public override async Task<TellReply> TellStream(IAsyncStreamReader<TellRequest> requestStream, ServerCallContext context)
        {
            var tells = new List<TellRequest>();
            await foreach (var tell in requestStream.ReadAllAsync())
            {
                tells.Add(tell);
            }

            return await holder.Node.HandleAsync<TellReply>("TellStream", tells, context);
        }
    }

    private sealed class Admin(Holder holder) : RingAdmin.RingAdminBase
    {
        public override Task<JoinReply> Join(JoinRequest request, ServerCallContext context) => holder.Node.HandleAsync<JoinReply>("Join", request, context);

        public override Task<PlanReply> Stage(StageRequest request, ServerCallContext context) => holder.Node.HandleAsync<PlanReply>("Stage", request, context);

        public override Task<PlanReply> Plan(PlanRequest request, ServerCallContext context) => holder.Node.HandleAsync<PlanReply>("Plan", request, context);

        public override Task<CommitReply> Commit(CommitRequest request, ServerCallContext context) => holder.Node.HandleAsync<CommitReply>("Commit", request, context);

        public override Task<ClearReply> Clear(ClearRequest request, ServerCallContext context) => holder.Node.HandleAsync<ClearReply>("Clear", request, context);

        public override Task<MemberStatusReply> MemberStatus(StatusRequest request, ServerCallContext context) => holder.Node.HandleAsync<MemberStatusReply>("MemberStatus", request, context);

        public override Task<RingStatusReply> RingStatus(StatusRequest request, ServerCallContext context) => holder.Node.HandleAsync<RingStatusReply>("RingStatus", request, context);

        public override Task<TransfersReply> Transfers(StatusRequest request, ServerCallContext context) => holder.Node.HandleAsync<TransfersReply>("Transfers", request, context);

        public override Task<AntiEntropyStatusReply> AntiEntropyStatus(StatusRequest request, ServerCallContext context) => holder.Node.HandleAsync<AntiEntropyStatusReply>("AntiEntropyStatus", request, context);
    }
}
