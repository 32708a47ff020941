using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace RingCore.Grpc.Services;

/// <summary>
/// Binds a generated service's methods to one instance of its implementation, each request
/// marshaller wrapped so that a request whose bytes do not parse is answered INVALID_ARGUMENT.
/// </summary>
/// <remarks>
/// Grpc.AspNetCore reads a unary request before any handler or interceptor runs, and answers a
/// deserializer's exception with UNKNOWN ("Exception was thrown by handler"); proto/ringcore_client.proto
/// promises INVALID_ARGUMENT for malformed protobuf. A marshaller that throws an
/// <see cref="RpcException"/> keeps its status, so the wrapper lives in the marshaller. The
/// generated <c>BindService(ServiceBinderBase, TBase)</c> lists the methods; this binder re-adds
/// each with the wrapped marshaller, calling the instance's handler.
/// </remarks>
/// <typeparam name="TService">The implementation (one instance serves every call).</typeparam>
internal sealed class StrictServiceMethodProvider<TService>(TService service, Action<ServiceBinderBase, TService> bind)
    : IServiceMethodProvider<ServiceEndpoint<TService>>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<ServiceEndpoint<TService>> context) =>
        bind(new Binder(context), service);

    /// <summary>The request marshaller of <paramref name="method"/>, failing with INVALID_ARGUMENT instead of a parser's exception.</summary>
    private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var parse = method.RequestMarshaller.ContextualDeserializer;
        var requests = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return parse(context);
            }
            catch (InvalidProtocolBufferException error)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"The request did not parse as {typeof(TRequest).Name}: {error.Message}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
    }

    private sealed class Binder(ServiceMethodProviderContext<ServiceEndpoint<TService>> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            context.AddUnaryMethod(Strict(method), [], (_, request, call) => handler(request, call));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            context.AddClientStreamingMethod(Strict(method), [], (_, requests, call) => handler(requests, call));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            context.AddServerStreamingMethod(Strict(method), [], (_, request, responses, call) => handler(request, responses, call));
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            context.AddDuplexStreamingMethod(Strict(method), [], (_, requests, responses, call) => handler(requests, responses, call));
        }
    }
}
