namespace RingCore.Membership;

/// <summary>
/// Where a <see cref="NodeWatcher"/> learns which members are up: the heartbeats' phi-accrual
/// detector (<see cref="HeartbeatFailureDetector"/>, the default) or the transport's own view
/// (<see cref="TransportFailureDetector"/>). The watcher owns the up set and its epoch; a
/// detector only answers and says when to look again.
/// </summary>
internal interface IFailureDetector
{
    /// <summary>Raised after <see cref="IsUp"/> may have changed for some member; outside the detector's lock, quick, never throws.</summary>
    event Action? Changed;

    /// <summary>Whether <paramref name="member"/> (another member of the ring) is believed up now.</summary>
    bool IsUp(string member);

    /// <summary>Watches <paramref name="members"/> from now on (this node among them or not): a ring change added or removed some.</summary>
    void Watch(IReadOnlyList<string> members);

    /// <summary>Stops watching: no more heartbeats, timers or <see cref="Changed"/>.</summary>
    void Stop();
}
