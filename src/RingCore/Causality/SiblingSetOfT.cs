using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RingCore.Causality;

/// <summary>
/// The values stored under one key, together with their causal history: a dotted version
/// vector set (DVVSet), as riak_kv 2.0 keeps with every object. Concurrent writes are kept
/// side by side as siblings; a write that saw a value supersedes it. Built and combined with
/// the <see cref="SiblingSet"/> functions (New, Sync, Update), which port riak's
/// <c>dvvset.erl</c> (Ricardo Tomé Gonçalves and Paulo Sérgio Almeida).
/// </summary>
/// <remarks>
/// <para>
/// The compact form of Almeida, Baquero, Gonçalves, Preguiça and Fonte, "Scalable and Accurate
/// Causality Tracking for Eventually Consistent Stores" (DAIS 2014): one entry per
/// replica id holding a counter n and the values of that replica's newest dots, newest first,
/// so the i-th value (from 0) of the entry carries the dot (id, n - i). Every value the
/// replica wrote with a smaller counter is in the history and superseded. A value may also be
/// <em>anonymous</em>: it has no dot yet. That is a client's write before a replica records it
/// (<see cref="SiblingSet.New{TValue}(VersionVector, TValue)"/>, <see cref="Reconcile"/>), and
/// <see cref="SiblingSet.Update{TValue}(SiblingSet{TValue}, SiblingSet{TValue}, ReplicaId, IEqualityComparer{TValue}, ulong)"/>
/// is what gives it one. The sets a replica stores carry a dot on every value.
/// </para>
/// <para>
/// Layout: the history (a <see cref="VersionVector"/>: ids and counters), the number of live
/// values per entry, and one flat array of values: the anonymous ones first, then each entry's
/// values in id order. Immutable; every operation returns a new set and may share arrays with
/// its inputs.
/// </para>
/// </remarks>
/// <typeparam name="TValue">The value type: object bytes in a vnode store, anything in tests.</typeparam>
public sealed class SiblingSet<TValue>
{
    private readonly VersionVector _history;
    private readonly int[] _valueCounts;
    private readonly TValue[] _values;
    private readonly int _anonymousCount;

    internal SiblingSet(VersionVector history, int[] valueCounts, TValue[] values, int anonymousCount)
    {
        Debug.Assert(valueCounts.Length == history.Count, "every history entry says how many of its dots still have a value");
        Debug.Assert(anonymousCount >= 0 && anonymousCount <= values.Length, "anonymous values are a prefix of the value array");
        Debug.Assert(SumOf(valueCounts) + anonymousCount == values.Length, "the value array holds exactly the entries' values and the anonymous ones");
        Debug.Assert(CountsFitCounters(valueCounts, history.Counters), "an entry with counter n has at most n dots, so at most n live values");
        _history = history;
        _valueCounts = valueCounts;
        _values = values;
        _anonymousCount = anonymousCount;
    }

    /// <summary>No values and no history: what a replica holds for a key it has never seen.</summary>
    public static SiblingSet<TValue> Empty { get; } = new(VersionVector.Empty, [], [], 0);

    /// <summary>The number of values (siblings), anonymous ones included (dvvset:size/1).</summary>
    public int Count => _values.Length;

    /// <summary>
    /// Every value: the anonymous ones first, then each replica entry's values in id order,
    /// newest dot first (dvvset:values/1). One value means no conflict.
    /// </summary>
    public ImmutableArray<TValue> Values => ImmutableCollectionsMarshal.AsImmutableArray(_values);

    /// <summary>How many values have no dot yet (see the remarks on <see cref="SiblingSet{TValue}"/>).</summary>
    public int AnonymousCount => _anonymousCount;

    /// <summary>The number of live values in each history entry, indexed like the history's ids.</summary>
    internal ReadOnlySpan<int> ValueCounts => _valueCounts;

    internal int[] ValueCountArray => _valueCounts;

    internal TValue[] ValueArray => _values;

    /// <summary>The values that carry dots, after the anonymous ones.</summary>
    internal ReadOnlySpan<TValue> DottedValues => _values.AsSpan(_anonymousCount);

    internal ReadOnlySpan<TValue> AnonymousValues => _values.AsSpan(0, _anonymousCount);

    /// <summary>
    /// The causal history as a version vector: the context a client gets with a read and hands
    /// back with its next write (dvvset:join/1). Allocation free: the vector is the set's own.
    /// </summary>
    public VersionVector Join() => _history;

    /// <summary>
    /// How this set's history relates to <paramref name="other"/>'s, values ignored.
    /// <see cref="CausalOrder.Before"/> means every value here is outdated by <paramref name="other"/>.
    /// </summary>
    public CausalOrder Compare(SiblingSet<TValue> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _history.Compare(other._history);
    }

    /// <summary>
    /// True when this set is causally older than <paramref name="other"/>, so its values are
    /// outdated (dvvset:less/2: the other history strictly dominates this one).
    /// </summary>
    public bool Less(SiblingSet<TValue> other) => Compare(other) == CausalOrder.Before;

    /// <summary>
    /// True when both sets have the same history and the same number of live values per entry,
    /// values themselves ignored (dvvset:equal/2).
    /// </summary>
    public bool HistoryEquals(SiblingSet<TValue> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _history.Equals(other._history)
            && _valueCounts.AsSpan().SequenceEqual(other._valueCounts)
            && _anonymousCount == other._anonymousCount;
    }

    /// <summary>
    /// True when both sets have equal histories and equal values: dotted values compared in
    /// order (they are ordered by dot), anonymous values compared as a set (dvvset keeps them in
    /// no particular order).
    /// </summary>
    /// <param name="other">The set to compare with.</param>
    /// <param name="comparer">Compares values; the default comparer when null. Pass a content comparer for byte memory.</param>
    public bool Equals(SiblingSet<TValue> other, IEqualityComparer<TValue>? comparer)
    {
        ArgumentNullException.ThrowIfNull(other);
        comparer ??= EqualityComparer<TValue>.Default;
        if (!HistoryEquals(other))
        {
            return false;
        }

        var dotted = DottedValues;
        var otherDotted = other.DottedValues;
        for (int i = 0; i < dotted.Length; i++)
        {
            if (!comparer.Equals(dotted[i], otherDotted[i]))
            {
                return false;
            }
        }

        return SiblingSet.ContainsAll(AnonymousValues, other.AnonymousValues, comparer)
            && SiblingSet.ContainsAll(other.AnonymousValues, AnonymousValues, comparer);
    }

    /// <summary>The same history with <paramref name="map"/> applied to every value (dvvset:map/2).</summary>
    public SiblingSet<TResult> Map<TResult>(Func<TValue, TResult> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var values = new TResult[_values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = map(_values[i]);
        }

        return new SiblingSet<TResult>(_history, _valueCounts, values, _anonymousCount);
    }

    /// <summary>
    /// Resolves the siblings into one value with <paramref name="merge"/> and returns it as a
    /// client write whose context is this whole history (dvvset:reconcile/2). Record it with
    /// <see cref="SiblingSet.Update{TValue}(SiblingSet{TValue}, SiblingSet{TValue}, ReplicaId, IEqualityComparer{TValue}, ulong)"/>:
    /// the new dot then supersedes every value that was merged.
    /// </summary>
    /// <param name="merge">Given every value (<see cref="Values"/>), returns the one that replaces them.</param>
    public SiblingSet<TValue> Reconcile(Func<ImmutableArray<TValue>, TValue> merge)
    {
        ArgumentNullException.ThrowIfNull(merge);
        return SiblingSet.New(_history, merge(Values));
    }

    /// <summary>
    /// The value with the greatest timestamp; on a tie, the one later in <see cref="Values"/>
    /// (dvvset:last/2, with a timestamp selector instead of a less-or-equal function).
    /// </summary>
    /// <exception cref="InvalidOperationException">The set has no values.</exception>
    public TValue Last<TTimestamp>(Func<TValue, TTimestamp> timestampOf)
    {
        ArgumentNullException.ThrowIfNull(timestampOf);
        if (_values.Length == 0)
        {
            throw new InvalidOperationException("An empty sibling set has no last value.");
        }

        var comparer = Comparer<TTimestamp>.Default;
        int winner = 0;
        var best = timestampOf(_values[0]);
        for (int i = 1; i < _values.Length; i++)
        {
            var timestamp = timestampOf(_values[i]);
            if (comparer.Compare(best, timestamp) <= 0)
            {
                best = timestamp;
                winner = i;
            }
        }

        return _values[winner];
    }

    /// <summary>
    /// Last write wins: the value <see cref="Last"/> picks, as a client write whose context is
    /// this whole history, to be recorded with
    /// <see cref="SiblingSet.Update{TValue}(SiblingSet{TValue}, SiblingSet{TValue}, ReplicaId, IEqualityComparer{TValue}, ulong)"/>.
    /// </summary>
    /// <remarks>
    /// dvvset:lww/2 compares only the newest value of each replica entry (assuming a replica's
    /// later dot is also later in time) and keeps the winner under its old dot. Here every
    /// sibling competes, since the timestamp is the caller's (a client clock may disagree with
    /// the order a replica saw writes in), and a dot can only be kept for an entry's newest
    /// value in the compact form; so, like <see cref="Reconcile"/>, the resolution is a new
    /// write that spreads like any other.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The set has no values.</exception>
    public SiblingSet<TValue> LastWriteWins<TTimestamp>(Func<TValue, TTimestamp> timestampOf) =>
        SiblingSet.New(_history, Last(timestampOf));

    /// <summary>The entries as <c>{anonymous [..], id:counter [..], ...}</c>, for test failures and logs.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("{");
        if (_anonymousCount > 0)
        {
            AppendValues(text.Append("anonymous "), 0, _anonymousCount);
        }

        int offset = _anonymousCount;
        var ids = _history.Ids;
        var counters = _history.Counters;
        for (int i = 0; i < ids.Length; i++)
        {
            text.Append(text.Length > 1 ? ", " : "").Append(ids[i].ToString()).Append(':').Append(counters[i]).Append(' ');
            AppendValues(text, offset, _valueCounts[i]);
            offset += _valueCounts[i];
        }

        return text.Append('}').ToString();
    }

    private void AppendValues(StringBuilder text, int start, int count)
    {
        text.Append('[');
        for (int i = 0; i < count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(_values[start + i]);
        }

        text.Append(']');
    }

    private static int SumOf(int[] counts)
    {
        int sum = 0;
        foreach (int count in counts)
        {
            sum += count;
        }

        return sum;
    }

    private static bool CountsFitCounters(int[] valueCounts, ReadOnlySpan<ulong> counters)
    {
        for (int i = 0; i < valueCounts.Length; i++)
        {
            if (valueCounts[i] < 0 || (ulong)valueCounts[i] > counters[i])
            {
                return false;
            }
        }

        return true;
    }
}
