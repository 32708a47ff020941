namespace RingCore.Grpc.Services;

/// <summary>
/// What Grpc.AspNetCore maps for one of the node's services (<typeparamref name="TService"/>, a
/// generated service base's implementation): a type without the generated <c>BindServiceMethod</c>
/// attribute, so that only <see cref="StrictServiceMethodProvider{TService}"/> binds its methods,
/// with request marshallers that answer INVALID_ARGUMENT for bytes that do not parse.
/// </summary>
/// <typeparam name="TService">The implementation whose methods are bound.</typeparam>
internal sealed class ServiceEndpoint<TService>
    where TService : class
{
}
