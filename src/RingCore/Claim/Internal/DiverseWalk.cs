using System.Diagnostics;

namespace RingCore.Claim;

/// <summary>
/// The dynamic programme behind <see cref="NearestDiverseLayout"/>: the diverse owner sequence
/// that maximises, over all partitions, the worth of keeping the original owner minus the owner's
/// price. A state is the last target_n - 1 owners (all distinct); appending an owner that is not
/// among them keeps every window of target_n distinct, so diverse sequences are exactly the walks.
/// </summary>
internal sealed class DiverseWalk
{
    /// <summary>
    /// What decoding charges a member per partition it is ahead of its pro-rata share (a quarter
    /// of a kept partition), so that a pattern favouring some members is interleaved with others
    /// along the ring instead of running until their shares are used up.
    /// </summary>
    private const long AheadCharge = NearestDiverseLayout.KeptWorth / 4;

    private readonly int[] _original;
    private readonly int _memberCount;
    private readonly int _width;
    private readonly int _topPlace; // M^(width - 1), the place value of the oldest owner
    private readonly int[] _codeOf;
    private readonly int[] _stateOf;
    private readonly int[] _next;
    private readonly byte[] _oldestBefore;
    private long[] _score;
    private long[] _nextScore;
    private long[]? _value;
    private long[]? _price;
    private int _start;

    public DiverseWalk(int[] original, int memberCount, int targetN)
    {
        Debug.Assert(memberCount <= byte.MaxValue, "a member index fits the back-pointer byte");
        _original = original;
        _memberCount = memberCount;
        _width = targetN - 1;
        int codes = 1;
        for (int i = 0; i < _width; i++)
        {
            codes *= memberCount;
        }

        _topPlace = codes / memberCount;

        // States are the codes (base M, oldest owner first) whose owners are distinct.
        _stateOf = new int[codes];
        var codeOf = new List<int>();
        for (int code = 0; code < codes; code++)
        {
            _stateOf[code] = AllDistinct(code) ? codeOf.Count : -1;
            if (_stateOf[code] >= 0)
            {
                codeOf.Add(code);
            }
        }

        _codeOf = codeOf.ToArray();
        _next = new int[_codeOf.Length * memberCount];
        for (int state = 0; state < _codeOf.Length; state++)
        {
            for (int owner = 0; owner < memberCount; owner++)
            {
                _next[(state * memberCount) + owner] = Holds(_codeOf[state], owner) ? -1
                    : _stateOf[(_codeOf[state] % _topPlace * memberCount) + owner];
            }
        }

        _oldestBefore = new byte[original.Length * _codeOf.Length];
        _score = new long[_codeOf.Length];
        _nextScore = new long[_codeOf.Length];
    }

    /// <summary>The state made of the first target_n - 1 owners of <paramref name="sequence"/>.</summary>
    public int FirstState(int[] sequence)
    {
        int code = 0;
        for (int i = 0; i < _width; i++)
        {
            code = (code * _memberCount) + sequence[i];
        }

        return _stateOf[code];
    }

    /// <summary>
    /// Writes the best walk under <paramref name="price"/> into <paramref name="sequence"/>. With
    /// <paramref name="start"/> &lt; 0 the walk is open (the wrap is not checked); otherwise it
    /// begins in that state and must close the ring diversely. False if no walk closes it.
    /// </summary>
    public bool Run(long[] price, int start, int[] sequence)
    {
        int states = _codeOf.Length;
        for (int state = 0; state < states; state++)
        {
            long score = long.MinValue;
            if (start < 0 || state == start)
            {
                score = 0;
                for (int i = 0; i < _width; i++)
                {
                    score += Gain(i, Digit(_codeOf[state], i), price);
                }
            }

            _score[state] = score;
        }

        for (int partition = _width; partition < _original.Length; partition++)
        {
            Array.Fill(_nextScore, long.MinValue);
            int row = partition * states;
            for (int state = 0; state < states; state++)
            {
                long score = _score[state];
                if (score == long.MinValue)
                {
                    continue;
                }

                byte oldest = (byte)(_codeOf[state] / _topPlace);
                for (int owner = 0; owner < _memberCount; owner++)
                {
                    int next = _next[(state * _memberCount) + owner];
                    if (next < 0)
                    {
                        continue;
                    }

                    long candidate = score + Gain(partition, owner, price);
                    if (candidate > _nextScore[next])
                    {
                        _nextScore[next] = candidate;
                        _oldestBefore[row + next] = oldest;
                    }
                }
            }

            (_score, _nextScore) = (_nextScore, _score);
        }

        int end = -1;
        for (int state = 0; state < states; state++)
        {
            if (_score[state] != long.MinValue && (start < 0 || Closes(_codeOf[state], _codeOf[start]))
                && (end < 0 || _score[state] > _score[end]))
            {
                end = state;
            }
        }

        if (end < 0)
        {
            return false;
        }

        Trace(end, sequence);
        return true;
    }

    /// <summary>
    /// Runs the programme backwards under <paramref name="price"/>: for every partition and state,
    /// the best the rest of the ring can score, for walks that close the ring onto <paramref name="start"/>.
    /// </summary>
    /// <returns>False if no walk from <paramref name="start"/> closes the ring.</returns>
    public bool Prepare(long[] price, int start)
    {
        _price = price;
        _start = start;
        int states = _codeOf.Length;
        int partitionCount = _original.Length;
        _value ??= new long[partitionCount * states];
        int last = (partitionCount - 1) * states;
        for (int state = 0; state < states; state++)
        {
            _value[last + state] = Closes(_codeOf[state], _codeOf[start]) ? 0 : long.MinValue;
        }

        for (int partition = partitionCount - 2; partition >= _width - 1; partition--)
        {
            int row = partition * states;
            int nextRow = row + states;
            for (int state = 0; state < states; state++)
            {
                long best = long.MinValue;
                for (int owner = 0; owner < _memberCount; owner++)
                {
                    int next = _next[(state * _memberCount) + owner];
                    if (next >= 0 && _value[nextRow + next] != long.MinValue)
                    {
                        best = Math.Max(best, Gain(partition + 1, owner, price) + _value[nextRow + next]);
                    }
                }

                _value[row + state] = best;
            }
        }

        return _value[((_width - 1) * states) + start] != long.MinValue;
    }

    /// <summary>
    /// Writes into <paramref name="sequence"/> a walk from the prepared start that closes the ring
    /// and keeps every member within its balanced share where it can: partition by partition, the
    /// owner that is best for the rest of the ring among those with room left, less a charge for
    /// being ahead of its share that grows, up to <paramref name="maxUrgency"/> times, as the ring
    /// closes (near the end a member behind its share has few places left).
    /// </summary>
    public void Decode(long maxUrgency, int[] sequence)
    {
        Debug.Assert(_value is not null && _price is not null, "Prepare runs first");
        long[] price = _price;
        int start = _start;
        int states = _codeOf.Length;
        int partitionCount = _original.Length;
        Span<int> counts = stackalloc int[_memberCount];
        counts.Clear();
        int floor = partitionCount / _memberCount;
        int heavies = partitionCount % _memberCount;
        int atCeil = 0;
        for (int i = 0; i < _width; i++)
        {
            sequence[i] = Digit(_codeOf[start], i);
            counts[sequence[i]]++;
        }

        int current = start;
        for (int partition = _width; partition < partitionCount; partition++)
        {
            int nextRow = partition * states;

            long urgency = Math.Min(maxUrgency, partitionCount / (partitionCount - partition));
            int chosen = -1;
            bool chosenHasRoom = false;
            long chosenScore = long.MinValue;
            for (int owner = 0; owner < _memberCount; owner++)
            {
                int next = _next[(current * _memberCount) + owner];
                if (next < 0 || _value[nextRow + next] == long.MinValue)
                {
                    continue;
                }

                bool hasRoom = counts[owner] < floor || (counts[owner] == floor && atCeil < heavies);
                long ahead = ((long)counts[owner] * _memberCount) - partition;
                long score = Gain(partition, owner, price) + _value[nextRow + next] - (urgency * AheadCharge * ahead / _memberCount);
                if ((hasRoom && !chosenHasRoom) || (hasRoom == chosenHasRoom && score > chosenScore))
                {
                    (chosen, chosenHasRoom, chosenScore) = (owner, hasRoom, score);
                }
            }

            Debug.Assert(chosen >= 0, "a state with a finite value has a successor with a finite value");
            sequence[partition] = chosen;
            atCeil += counts[chosen] == floor ? 1 : 0;
            counts[chosen]++;
            current = _next[(current * _memberCount) + chosen];
        }
    }

    private long Gain(int partition, int owner, long[] price) =>
        (_original[partition] == owner ? NearestDiverseLayout.KeptWorth : 0) - price[owner];

    private void Trace(int end, int[] sequence)
    {
        int states = _codeOf.Length;
        int state = end;
        for (int partition = _original.Length - 1; partition >= _width; partition--)
        {
            int code = _codeOf[state];
            sequence[partition] = code % _memberCount;
            int previous = (_oldestBefore[(partition * states) + state] * _topPlace) + (code / _memberCount);
            state = _stateOf[previous];
        }

        for (int i = 0; i < _width; i++)
        {
            sequence[i] = Digit(_codeOf[state], i);
        }
    }

    /// <summary>Whether the last owners <paramref name="endCode"/> followed, across the wrap, by the first owners <paramref name="startCode"/> keep every window distinct.</summary>
    private bool Closes(int endCode, int startCode)
    {
        // End owner i sits width - i places before partition 0, so it must differ from start owners 0..i.
        for (int i = 0; i < _width; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                if (Digit(endCode, i) == Digit(startCode, j))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private int Digit(int code, int index)
    {
        for (int i = _width - 1; i > index; i--)
        {
            code /= _memberCount;
        }

        return code % _memberCount;
    }

    private bool Holds(int code, int owner)
    {
        for (int i = 0; i < _width; i++)
        {
            if (Digit(code, i) == owner)
            {
                return true;
            }
        }

        return false;
    }

    private bool AllDistinct(int code)
    {
        for (int i = 0; i < _width; i++)
        {
            for (int j = i + 1; j < _width; j++)
            {
                if (Digit(code, i) == Digit(code, j))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
