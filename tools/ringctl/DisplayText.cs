using System.Globalization;
using System.Text;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Text from the command line or a file, as an error message quotes it: control characters
/// escaped and at most <see cref="MaxShown"/> characters, so that a binary line cannot drive the
/// terminal (an escape sequence, a bell) and a 100,000-character value cannot bury the message.
/// </summary>
internal static class DisplayText
{
    private const int MaxShown = 40;

    /// <summary><paramref name="text"/> in single quotes, escaped, cut to <see cref="MaxShown"/> characters with "…".</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(Math.Min(text.Length, MaxShown) + 8).Append('\'');
        int end = Math.Min(text.Length, MaxShown);
        for (int i = 0; i < end; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                quoted.Append(text[i]).Append(text[i + 1]); // a pair: one printable character
                i++;
                continue;
            }

            Append(quoted, text[i]);
        }

        if (text.Length > MaxShown)
        {
            quoted.Append('…');
        }

        return quoted.Append('\'').ToString();
    }

    /// <summary>One character in single quotes, escaped like <see cref="Quote(string)"/>.</summary>
    public static string Quote(char character) => Append(new StringBuilder(8).Append('\''), character).Append('\'').ToString();

    private static StringBuilder Append(StringBuilder builder, char character)
    {
        // Control characters (C0, DEL, C1), line and paragraph separators, and lone surrogates.
        bool unprintable = char.IsControl(character) || character is '\u2028' or '\u2029' || char.IsSurrogate(character);
        if (!unprintable)
        {
            return builder.Append(character);
        }

        return character <= '\u00ff'
            ? builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)character:x2}")
            : builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)character:x4}");
    }
}
