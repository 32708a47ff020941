using Grpc.Core;
using Grpc.Core.Interceptors;
using RingCore.Node;

namespace RingCore.Grpc.Services;

/// <summary>
/// What every call to the node's admin and client services goes through, before and after its
/// handler: the caller's credentials (<see cref="Authenticate"/>, the one place that decides who
/// may call), whether a node is served yet, and the status an exception becomes
/// (<see cref="ServiceStatus"/>).
/// </summary>
/// <remarks>
/// A call that fails the check is refused before its handler runs, so a wrong secret changes
/// nothing. Unary requests are read before interceptors run; their size and parse errors come
/// from Grpc.AspNetCore's limit (RESOURCE_EXHAUSTED) and <see cref="StrictServiceMethodProvider{TService}"/>
/// (INVALID_ARGUMENT).
/// </remarks>
internal sealed class ServiceCallInterceptor(GrpcTransport transport, ServiceAudience audience) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        // Counted before the draining check, so StopServingAsync either sees this call in flight or
        // this call sees the node draining; checked first, a stop between the two missed the call.
        transport.CallStarted();
        try
        {
            Admit(context);
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not RpcException)
        {
            throw ServiceStatus.Of(error, context, transport);
        }
        finally
        {
            transport.CallEnded();
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        // Counted before the draining check, so StopServingAsync either sees this call in flight or
        // this call sees the node draining; checked first, a stop between the two missed the call.
        transport.CallStarted();
        try
        {
            Admit(context);
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not RpcException)
        {
            throw ServiceStatus.Of(error, context, transport);
        }
        finally
        {
            transport.CallEnded();
        }
    }

    /// <summary>The node a call is served by, once the call was admitted.</summary>
    /// <exception cref="RpcException">UNAVAILABLE: no node is served yet.</exception>
    public static RingNode NodeOf(GrpcTransport transport) =>
        transport.Node ?? throw new RpcException(new Status(StatusCode.Unavailable, $"Node '{transport.LocalNode}' is starting; try again shortly."));

    /// <summary>
    /// Whether the caller may use a service for <paramref name="audience"/>: the admin service
    /// needs the cluster secret (or, under mutual TLS, a client certificate from the cluster's CA),
    /// the client services the client secret when one is set. The secrets are compared in constant
    /// time (<see cref="PeerHeaders.Matches"/>).
    /// </summary>
    internal static bool Authenticate(GrpcTransport transport, ServiceAudience audience, ServerCallContext context)
    {
        if (audience == ServiceAudience.Admin)
        {
            // The cluster secret, or a client certificate the cluster's CA signed: the rule every
            // node-to-node call follows (PeerAuthentication), so mutual TLS without a secret works
            // for the admin service as for peers, and never admits a caller without either.
            return transport.Authentication.IsAuthenticated(context);
        }

        byte[]? expected = transport.ClientSecretDigest;
        return expected is null || PeerHeaders.Matches(context.RequestHeaders.GetValue(PeerHeaders.Secret), expected);
    }

    private void Admit(ServerCallContext context)
    {
        if (!Authenticate(transport, audience, context))
        {
            bool offered = context.RequestHeaders.GetValue(PeerHeaders.Secret) is not null;
            string which = audience == ServiceAudience.Admin ? "cluster secret" : "client secret";
            GrpcTransportLog.CallRefused(transport.Logger, transport.LocalNode, context.Method, context.Peer, offered ? $"a wrong {which}" : $"no {which}");
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                offered ? $"The {which} in ringcore-secret is wrong." : $"This call needs the {which} in the ringcore-secret metadata."));
        }

        if (transport.Draining)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Node '{transport.LocalNode}' is stopping; try another node."));
        }

        _ = NodeOf(transport);
    }
}
