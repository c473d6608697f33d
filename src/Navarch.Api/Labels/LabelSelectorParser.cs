namespace Navarch.Api.Labels;

/// <summary>
/// Lexer and recursive-descent parser for the label selector string syntax, following the grammar and
/// the error messages of k8s.io/apimachinery/pkg/labels (selector.go), token for token.
/// </summary>
internal sealed class LabelSelectorParser
{
    // "gt" and "lt" are how selection.GreaterThan/LessThan spell themselves in the message.
    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly List<(Token Token, string Literal)> _items = [];
    private int _position;

    private LabelSelectorParser(string selector)
    {
        var lexer = new Lexer(selector);
        while (true)
        {
            var item = lexer.Lex();
            _items.Add(item);
            if (item.Token == Token.EndOfString)
            {
                break;
            }
        }
    }

    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private enum Context
    {
        KeyAndOperator,
        Values,
    }

    public static List<LabelRequirement> Parse(string selector) => new LabelSelectorParser(selector).ParseAll();

    private static Token? KeywordOrSymbol(string literal) => literal switch
    {
        ")" => Token.ClosedPar,
        "," => Token.Comma,
        "!" => Token.DoesNotExist,
        "==" => Token.DoubleEquals,
        "=" => Token.Equals,
        ">" => Token.GreaterThan,
        "in" => Token.In,
        "<" => Token.LessThan,
        "!=" => Token.NotEquals,
        "notin" => Token.NotIn,
        "(" => Token.OpenPar,
        _ => null,
    };

    private static SelectorParseException Fail(string message) => new(message);

    private (Token Token, string Literal) Lookahead(Context context) => Adjust(_items[Math.Min(_position, _items.Count - 1)], context);

    private (Token Token, string Literal) Consume(Context context)
    {
        var item = _items[Math.Min(_position, _items.Count - 1)];
        _position++;
        return Adjust(item, context);
    }

    // In a values context the keywords "in" and "notin" are plain identifiers (e.g. "a=in").
    private static (Token Token, string Literal) Adjust((Token Token, string Literal) item, Context context) =>
        context == Context.Values && item.Token is Token.In or Token.NotIn ? (Token.Identifier, item.Literal) : item;

    private List<LabelRequirement> ParseAll()
    {
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            var (token, literal) = Lookahead(Context.Values);
            switch (token)
            {
                case Token.Identifier:
                case Token.DoesNotExist:
                    requirements.Add(ParseRequirement());
                    var (next, nextLiteral) = Consume(Context.Values);
                    switch (next)
                    {
                        case Token.EndOfString:
                            return requirements;
                        case Token.Comma:
                            var (after, afterLiteral) = Lookahead(Context.Values);
                            if (after is not Token.Identifier and not Token.DoesNotExist)
                            {
                                throw Fail($"found '{afterLiteral}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw Fail($"found '{nextLiteral}', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return requirements;
                default:
                    throw Fail($"found '{literal}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        try
        {
            var (key, op) = ParseKeyAndInferOperator();
            List<string> values;
            if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist)
            {
                values = [];
            }
            else
            {
                op = ParseOperator();
                values = op is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues() : ParseExactValue();
            }

            // The Go parser collects values into a set and hands them to NewRequirement sorted.
            values = values.Distinct(StringComparer.Ordinal).ToList();
            values.Sort(StringComparer.Ordinal);
            return LabelRequirement.TryCreate(key, op, values, out var requirement, out var error)
                ? requirement
                : throw Fail(error);
        }
        catch (SelectorParseException e)
        {
            throw new SelectorParseException("unable to parse requirement: " + e.Message);
        }
    }

    private (string Key, SelectorOperator Operator) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        var (token, literal) = Consume(Context.Values);
        if (token == Token.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            (token, literal) = Consume(Context.Values);
        }

        if (token != Token.Identifier)
        {
            throw Fail($"found '{literal}', expected: identifier");
        }

        var keyErrors = LabelValidation.IsQualifiedName(literal);
        if (keyErrors.Count != 0)
        {
            // The parser validates with a nil field path, which Go prints as "<nil>".
            throw Fail(LabelRequirement.InvalidValue("<nil>", GoFormat.Quote(literal), string.Join("; ", keyErrors)));
        }

        var (next, _) = Lookahead(Context.Values);
        if (next is Token.EndOfString or Token.Comma && op != SelectorOperator.DoesNotExist)
        {
            op = SelectorOperator.Exists;
        }

        // No operator inferred: a binary operator must follow. Equals is a placeholder replaced by ParseOperator.
        return (literal, op ?? SelectorOperator.Equals);
    }

    private SelectorOperator ParseOperator()
    {
        var (token, literal) = Consume(Context.KeyAndOperator);
        return token switch
        {
            Token.In => SelectorOperator.In,
            Token.Equals => SelectorOperator.Equals,
            Token.DoubleEquals => SelectorOperator.DoubleEquals,
            Token.GreaterThan => SelectorOperator.GreaterThan,
            Token.LessThan => SelectorOperator.LessThan,
            Token.NotIn => SelectorOperator.NotIn,
            Token.NotEquals => SelectorOperator.NotEquals,
            _ => throw Fail($"found '{literal}', expected: {BinaryOperators}"),
        };
    }

    private List<string> ParseValues()
    {
        var (token, literal) = Consume(Context.Values);
        if (token != Token.OpenPar)
        {
            // Sic: Kubernetes' message has no comma after the literal here.
            throw Fail($"found '{literal}' expected: '('");
        }

        (token, literal) = Lookahead(Context.Values);
        switch (token)
        {
            case Token.Identifier:
            case Token.Comma:
                var values = ParseIdentifiersList();
                (token, _) = Consume(Context.Values);
                if (token != Token.ClosedPar)
                {
                    throw Fail($"found '{literal}', expected: ')'");
                }

                return values;
            case Token.ClosedPar:
                // "()" is a set holding the empty value.
                Consume(Context.Values);
                return [string.Empty];
            default:
                throw Fail($"found '{literal}', expected: ',', ')' or identifier");
        }
    }

    private List<string> ParseIdentifiersList()
    {
        var values = new List<string>();
        while (true)
        {
            var (token, literal) = Consume(Context.Values);
            switch (token)
            {
                case Token.Identifier:
                    values.Add(literal);
                    var (next, nextLiteral) = Lookahead(Context.Values);
                    switch (next)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return values;
                        default:
                            throw Fail($"found '{nextLiteral}', expected: ',' or ')'");
                    }

                case Token.Comma:
                    // "(," ",," and ",)" each stand for the empty value.
                    if (values.Count == 0)
                    {
                        values.Add(string.Empty);
                    }

                    var (following, _) = Lookahead(Context.Values);
                    if (following == Token.ClosedPar)
                    {
                        values.Add(string.Empty);
                        return values;
                    }

                    if (following == Token.Comma)
                    {
                        Consume(Context.Values);
                        values.Add(string.Empty);
                    }

                    break;
                default:
                    throw Fail($"found '{literal}', expected: ',', or identifier");
            }
        }
    }

    private List<string> ParseExactValue()
    {
        var (token, _) = Lookahead(Context.Values);
        if (token is Token.EndOfString or Token.Comma)
        {
            return [string.Empty];
        }

        (token, var literal) = Consume(Context.Values);
        return token == Token.Identifier ? [literal] : throw Fail($"found '{literal}', expected: identifier");
    }

    private sealed class Lexer(string input)
    {
        private int _pos;

        public (Token Token, string Literal) Lex()
        {
            while (true)
            {
                var c = Read();
                if (c == '\0')
                {
                    return (Token.EndOfString, string.Empty);
                }

                if (IsWhitespace(c))
                {
                    continue;
                }

                _pos--;
                return IsSpecialSymbol(c) ? ScanSpecialSymbol() : ScanIdentifierOrKeyword();
            }
        }

        private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

        private static bool IsSpecialSymbol(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

        // As the Go lexer, a NUL ends the input.
        private char Read() => _pos < input.Length ? input[_pos++] : '\0';

        private (Token Token, string Literal) ScanIdentifierOrKeyword()
        {
            var start = _pos;
            while (_pos < input.Length)
            {
                var c = input[_pos];
                if (c == '\0' || IsWhitespace(c) || IsSpecialSymbol(c))
                {
                    break;
                }

                _pos++;
            }

            var literal = input[start.._pos];
            var keyword = KeywordOrSymbol(literal);
            return keyword is Token.In or Token.NotIn ? (keyword.Value, literal) : (Token.Identifier, literal);
        }

        // Takes the longest run of special symbols that forms a known token ("!=" rather than "!").
        private (Token Token, string Literal) ScanSpecialSymbol()
        {
            var start = _pos;
            Token? last = null;
            var lastEnd = _pos;
            while (_pos < input.Length && IsSpecialSymbol(input[_pos]))
            {
                _pos++;
                var token = KeywordOrSymbol(input[start.._pos]);
                if (token is not null)
                {
                    last = token;
                    lastEnd = _pos;
                }
                else if (last is not null)
                {
                    break;
                }
            }

            if (last is null)
            {
                return (Token.Error, $"error expected: keyword found '{input[start.._pos]}'");
            }

            _pos = lastEnd;
            return (last.Value, input[start..lastEnd]);
        }
    }
}
