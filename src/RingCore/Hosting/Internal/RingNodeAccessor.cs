using System.Diagnostics;
using RingCore.Node;

namespace RingCore.Hosting;

/// <summary>
/// Holds the node between the host's start and stop, for <see cref="IRingNodeAccessor"/>. The
/// hosted service moves it through its three states (not started, running, stopped), each once;
/// disposing the container stops a node the host never stopped, so its stores still close.
/// </summary>
internal sealed class RingNodeAccessor : IRingNodeAccessor, IAsyncDisposable, IDisposable
{
    private readonly TaskCompletionSource<RingNode> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private RingNode? _node;
    private Exception? _ended;

    public RingNode Node
    {
        get
        {
            lock (_lock)
            {
                return _node ?? throw NotRunning();
            }
        }
    }

    public Task<RingNode> GetNodeAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            // Once ended, the task that gave the node to earlier callers must not hand it out again.
            if (_ended is not null)
            {
                return Task.FromException<RingNode>(NotRunning());
            }
        }

        return _started.Task.WaitAsync(cancellationToken);
    }

    // A new exception per caller: a thrown exception's stack trace belongs to one throw.
    private InvalidOperationException NotRunning()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread, "_ended is read under the lock.");
        return _ended is null
            ? new InvalidOperationException(
                "The RingCore node has not started yet: it starts with the host. Use it after the host's StartAsync, or await IRingNodeAccessor.GetNodeAsync.")
            : new InvalidOperationException(_ended.Message, _ended.InnerException);
    }

    /// <summary>The hosted service started <paramref name="node"/>.</summary>
    public void Started(RingNode node)
    {
        lock (_lock)
        {
            if (_node is not null || _ended is not null)
            {
                throw new InvalidOperationException("The RingCore node was already started by this host; a host starts it once.");
            }

            _node = node;
        }

        _started.TrySetResult(node);
    }

    /// <summary>The node's start failed with <paramref name="error"/>; whoever waits for it gets the error.</summary>
    public void StartFailed(Exception error)
    {
        var ended = new InvalidOperationException($"The RingCore node failed to start: {error.Message}", error);
        lock (_lock)
        {
            _ended ??= ended;
        }

        _started.TrySetException(ended);
    }

    /// <summary>Marks the node stopped and returns it, for the caller to dispose; null when it was not running.</summary>
    public RingNode? Stop()
    {
        RingNode? node;
        var ended = new InvalidOperationException("The RingCore node has stopped: the host stopped it.");
        lock (_lock)
        {
            node = _node;
            _node = null;
            _ended ??= ended;
        }

        _started.TrySetException(ended);
        return node;
    }

    public ValueTask DisposeAsync() => Stop() is { } node ? node.DisposeAsync() : ValueTask.CompletedTask;

    // A container disposed synchronously (not through the host): the node's stop is asynchronous,
    // and a store left open could lose WriteBehind state, so wait for it here.
    public void Dispose()
    {
        if (Stop() is { } node)
        {
            node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
