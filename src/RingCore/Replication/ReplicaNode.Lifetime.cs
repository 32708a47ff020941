namespace RingCore.Replication;

/// <summary>The lifetime side of <see cref="ReplicaNode"/>: closing the stores of its vnodes.</summary>
public sealed partial class ReplicaNode
{
    /// <summary>
    /// Stops this node the way a crash does (for the TestKit): from now on it serves and
    /// coordinates nothing, its own in-flight requests included, and its stores are left open
    /// and untouched for the next incarnation, which reopens them as a restarted process would.
    /// </summary>
    internal void Halt()
    {
        lock (_lock)
        {
            Volatile.Write(ref _disposed, true);
            _vnodes.Clear();
        }
    }

    /// <summary>
    /// Closes the store of every vnode this node opened (riak_kv_vnode terminate). Requests that
    /// arrive afterwards get error replies; the transport is not disposed, since the node did not
    /// create it. Calling it again does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task<ReplicaVNode>[] vnodes;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            Volatile.Write(ref _disposed, true);
            vnodes = [.. _vnodes.Values];
            _vnodes.Clear();
        }

        foreach (var starting in vnodes)
        {
            ReplicaVNode vnode;
            try
            {
                vnode = await starting.ConfigureAwait(false);
            }
            catch (Exception)
            {
                continue; // it failed to start (its error went to the requests that waited for it): nothing to close
            }

            await vnode.DisposeAsync().ConfigureAwait(false);
        }
    }
}
