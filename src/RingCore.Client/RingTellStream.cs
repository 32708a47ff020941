using Grpc.Core;
using RingCore.Grpc.Client;

namespace RingCore.Client;

/// <summary>
/// One open TellStream call (<see cref="RingClient.OpenTellStream"/>): tells written in order to
/// one node, which accepts them in order and counts them. Not thread-safe: one writer at a time.
/// </summary>
public sealed class RingTellStream : IAsyncDisposable
{
    private readonly AsyncClientStreamingCall<TellRequest, TellReply> _call;
    private readonly string _node;
    private bool _completed;

    internal RingTellStream(AsyncClientStreamingCall<TellRequest, TellReply> call, string node)
    {
        _call = call;
        _node = node;
    }

    /// <summary>The node the stream goes to.</summary>
    public string Node => _node;

    /// <summary>Writes one tell; it waits only while HTTP/2 flow control holds the stream back.</summary>
    /// <exception cref="RingClientException">The stream failed (the node went down, refused a tell or the secret).</exception>
    public async Task TellAsync(string actorType, ReadOnlyMemory<byte> key, string messageType, ReadOnlyMemory<byte> payload)
    {
        var request = RingClient.Tell(actorType, key, messageType, payload);
        ObjectDisposedException.ThrowIf(_completed, this);
        try
        {
            await _call.RequestStream.WriteAsync(request).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RpcException or InvalidOperationException)
        {
            throw await FailureAsync(exception).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the stream and returns how many tells the node accepted.</summary>
    /// <exception cref="RingClientException">The stream failed; the subclass says how.</exception>
    public async Task<long> CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _completed = true;
        try
        {
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
            var reply = await _call.ResponseAsync.ConfigureAwait(false);
            return (long)reply.Accepted;
        }
        catch (RpcException failure)
        {
            throw Map(failure);
        }
    }

    /// <summary>Cancels the stream if it was not completed.</summary>
    public ValueTask DisposeAsync()
    {
        _completed = true;
        _call.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A failed write: the call's status says why (a write to a finished call only says that it finished).</summary>
    private async Task<RingClientException> FailureAsync(Exception writeFailure)
    {
        try
        {
            await _call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException failure)
        {
            return Map(failure);
        }

        return new RingClientException($"The tell stream to node {_node} ended before the write: {writeFailure.Message}", StatusCode.Unknown, _node, writeFailure);
    }

    private RingClientException Map(RpcException failure) =>
        failure.StatusCode == StatusCode.Unavailable
            ? new RingUnavailableException($"Node {_node} is unavailable: {failure.Status.Detail}", [RingClientException.From(failure, _node)])
            : RingClientException.From(failure, _node);
}
