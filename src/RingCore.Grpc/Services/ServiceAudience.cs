namespace RingCore.Grpc.Services;

/// <summary>Who a service of the node is for, which decides the secret its calls must carry.</summary>
internal enum ServiceAudience
{
    /// <summary>Operators (proto/ringcore_admin.proto): the cluster secret, always.</summary>
    Admin,

    /// <summary>Applications (proto/ringcore_client.proto): the client secret when one is set, else anyone.</summary>
    Client,
}
