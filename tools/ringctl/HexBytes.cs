using System.Globalization;

namespace RingCore.Tools.RingCtl;

/// <summary>
/// Keys and buckets written as hex on the command line or in a file. Errors say which character
/// is wrong and where, since a key list is often produced by another tool and hard to eyeball.
/// </summary>
internal static class HexBytes
{
    /// <summary>Parses hex digits (either case, surrounding whitespace ignored) into bytes.</summary>
    /// <param name="text">The hex text.</param>
    /// <param name="bytes">The bytes, when the text is valid.</param>
    /// <param name="error">Why the text is not valid hex, quoting it (escaped and shortened, see <see cref="DisplayText"/>), when it is not.</param>
    public static bool TryParse(string text, out byte[] bytes, out string error)
    {
        string digits = text.Trim();
        bytes = [];
        int bad = FirstNonHexDigit(digits);
        if (bad >= 0)
        {
            error = NotHex(digits, bad);
            return false;
        }

        if (digits.Length % 2 != 0)
        {
            error = $"invalid hex {DisplayText.Quote(digits)}: an odd number of digits ({Count(digits.Length)}); each byte takes two.";
            return false;
        }

        bytes = Convert.FromHexString(digits);
        error = string.Empty;
        return true;
    }

    /// <summary>The index of the first character of <paramref name="digits"/> that is not a hex digit, or -1.</summary>
    public static int FirstNonHexDigit(string digits)
    {
        for (int i = 0; i < digits.Length; i++)
        {
            if (!char.IsAsciiHexDigit(digits[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Why <paramref name="digits"/> is not hex: the character at <paramref name="index"/>.</summary>
    public static string NotHex(string digits, int index) =>
        $"invalid hex {DisplayText.Quote(digits)}: {DisplayText.Quote(digits[index])} at position {Count(index + 1)} is not a hex digit.";

    /// <summary>Parses the value of <paramref name="option"/> as hex.</summary>
    /// <exception cref="UsageException">The value is not valid hex.</exception>
    public static byte[] ParseOption(string option, string text) =>
        TryParse(text, out byte[] bytes, out string error) ? bytes : throw new UsageException($"{option}: {error}");

    /// <summary>The bytes as lowercase hex: the one spelling ringctl prints.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
