package featureset_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/wsconform/wsconform/steps/featureset"
)

// The cases of the Cucumber tag-expressions test data (parsing.yml,
// errors.yml, evaluations.yml), written as Go strings.
var _ = Describe("ParseTags", func() {
	DescribeTable("formats Cucumber expressions as the Cucumber implementations do",
		func(expr, formatted string) {
			e, err := featureset.ParseTags(expr)
			Expect(err).NotTo(HaveOccurred())
			Expect(e.String()).To(Equal(formatted))
			again, err := featureset.ParseTags(formatted)
			Expect(err).NotTo(HaveOccurred(), "the formatted expression parses")
			Expect(again.String()).To(Equal(formatted))
		},
		Entry(nil, `@a and @b`, `( @a and @b )`),
		Entry(nil, `@a or @b`, `( @a or @b )`),
		Entry(nil, `not @a`, `not ( @a )`),
		Entry(nil, `@a and @b and @c`, `( ( @a and @b ) and @c )`),
		Entry(nil, `( @a and @b ) or ( @c and @d )`, `( ( @a and @b ) or ( @c and @d ) )`),
		Entry(nil, `not @a or @b and not @c or not @d or @e and @f`,
			`( ( ( not ( @a ) or ( @b and not ( @c ) ) ) or not ( @d ) ) or ( @e and @f ) )`),
		Entry(nil, `not @a\(\) or @b and not @c or not @d or @e and @f`,
			`( ( ( not ( @a\(\) ) or ( @b and not ( @c ) ) ) or not ( @d ) ) or ( @e and @f ) )`),
		Entry(nil, `not (@a and @b)`, `not ( @a and @b )`),
		Entry(nil, `not (@a or @b)`, `not ( @a or @b )`),
		Entry(nil, `not (@a and @b) and @c or not (@d or @f)`, `( ( not ( @a and @b ) and @c ) or not ( @d or @f ) )`),
		Entry(nil, `@a\\ and @b`, `( @a\\ and @b )`),
		Entry(nil, `@\\a and @b`, `( @\\a and @b )`),
		Entry(nil, `@a and @b\\`, `( @a and @b\\ )`),
		Entry(nil, `( @a and @b\\\\)`, `( @a and @b\\\\ )`),
		Entry(nil, `@a\\\( and @b\\\)`, `( @a\\\( and @b\\\) )`),
		Entry(nil, `(@a and @\\b)`, `( @a and @\\b )`),
		Entry(nil, `@x or(@y) `, `( @x or @y )`),
		Entry(nil, `@x\(1\) or(@y\(2\))`, `( @x\(1\) or @y\(2\) )`),
		Entry(nil, `@\\x or @y\\ or @z\\`, `( ( @\\x or @y\\ ) or @z\\ )`),
		Entry(nil, `@x\\ or(@y\\\)) or(@z\\)`, `( ( @x\\ or @y\\\) ) or @z\\ )`),
		Entry(nil, `@x\  or @y`, `( @x\  or @y )`),
		Entry(nil, `@tls and not (@extension or @slow)`, `( @tls and not ( @extension or @slow ) )`),
	)

	DescribeTable("refuses what Cucumber refuses, with its message",
		func(expr, message string) {
			_, err := featureset.ParseTags(expr)
			var te *featureset.TagExprError
			Expect(errors.As(err, &te)).To(BeTrue(), "error %v", err)
			Expect(err.Error()).To(Equal(message))
		},
		Entry(nil, `@a @b or`, `Tag expression "@a @b or" could not be parsed because of syntax error: Expected operator.`),
		Entry(nil, `@a and (@b not)`, `Tag expression "@a and (@b not)" could not be parsed because of syntax error: Expected operator.`),
		Entry(nil, `@a and (@b @c) or`, `Tag expression "@a and (@b @c) or" could not be parsed because of syntax error: Expected operator.`),
		Entry(nil, `@a and or`, `Tag expression "@a and or" could not be parsed because of syntax error: Expected operand.`),
		Entry(nil, `(@a ,@b)`, `Tag expression "(@a ,@b)" could not be parsed because of syntax error: An invalid tag combination operator was detected. `+
			`The use of a comma (",") to combine tags is not supported. Please replace it with either the "or" or "and" operators for tag combinations. `+
			`For example, use "@tag1 or @tag2" or "@tag1 and @tag2"`),
		Entry(nil, `or or`, `Tag expression "or or" could not be parsed because of syntax error: Expected operand.`),
		Entry(nil, `@a @b`, `Tag expression "@a @b" could not be parsed because of syntax error: Expected operator.`),
		Entry(nil, `( @a and @b ) )`, `Tag expression "( @a and @b ) )" could not be parsed because of syntax error: Unmatched ).`),
		Entry(nil, `( ( @a and @b )`, `Tag expression "( ( @a and @b )" could not be parsed because of syntax error: Unmatched (.`),
		Entry(nil, `@x or @\y or @z`, `Tag expression "@x or @\y or @z" could not be parsed because of syntax error: Illegal escape before "y".`),
		Entry(nil, `@x\ or @y`, `Tag expression "@x\ or @y" could not be parsed because of syntax error: Expected operator.`),
		Entry(nil, `@a and`, `Tag expression "@a and" could not be parsed because of syntax error: Expected operand.`),
		Entry(nil, `not`, `Tag expression "not" could not be parsed because of syntax error: Expected operand.`),
		Entry(nil, `()`, `Tag expression "()" could not be parsed because of syntax error: Expected operand.`),
		Entry(nil, `@tls || @json`, `Tag expression "@tls || @json" could not be parsed because of syntax error: Expected operator.`),
	)

	DescribeTable("gives the column of the problem",
		func(expr string, column int) {
			_, err := featureset.ParseTags(expr)
			var te *featureset.TagExprError
			Expect(errors.As(err, &te)).To(BeTrue(), "error %v", err)
			Expect(te.Column()).To(Equal(column))
			Expect(te.Where()).To(ContainSubstring(expr))
		},
		Entry(nil, `@a @b or`, 4),
		Entry(nil, `@a and or`, 8),
		Entry(nil, `( @a and @b ) )`, 15),
		Entry(nil, `( ( @a and @b )`, 1),
		Entry(nil, `@a and`, 7),
		Entry(nil, `@tls &&`, 8),
		Entry(nil, `@a && ,@b`, 7),
		Entry(nil, `tls and @b`, 1),
	)

	DescribeTable("evaluates tags",
		func(expr string, tags []string, want bool) {
			e, err := featureset.ParseTags(expr)
			Expect(err).NotTo(HaveOccurred())
			Expect(e.Match(tags)).To(Equal(want))
		},
		Entry(nil, `not @x`, []string{"@x"}, false),
		Entry(nil, `not @x`, []string{"@y"}, true),
		Entry(nil, `@x and @y`, []string{"@x", "@y"}, true),
		Entry(nil, `@x and @y`, []string{"@x"}, false),
		Entry(nil, `@x and @y`, []string{"@y"}, false),
		Entry(nil, `@x or @y`, []string{}, false),
		Entry(nil, `@x or @y`, []string{"@x", "@y"}, true),
		Entry(nil, `@x or @y`, []string{"@x"}, true),
		Entry(nil, `@x or @y`, []string{"@y"}, true),
		Entry(nil, `@x\(1\) or @y\(2\)`, []string{"@x(1)"}, true),
		Entry(nil, `@x\(1\) or @y\(2\)`, []string{"@y(2)"}, true),
		Entry(nil, `@x\\ or @y\\\) or @z\\`, []string{`@x\`}, true),
		Entry(nil, `@x\\ or @y\\\) or @z\\`, []string{`@y\)`}, true),
		Entry(nil, `@x\\ or @y\\\) or @z\\`, []string{`@z\`}, true),
		Entry(nil, `@x\\ or @y\\\) or @z\\`, []string{`@x`}, false),
		Entry(nil, `@x\\ or @y\\\) or @z\\`, []string{`@y)`}, false),
		Entry(nil, `@x\\ or @y\\\) or @z\\`, []string{`@z`}, false),
		Entry(nil, `@\\x or @y\\ or @z\\`, []string{`@\x`}, true),
		Entry(nil, `@\\x or @y\\ or @z\\`, []string{`@y\`}, true),
		Entry(nil, `@\\x or @y\\ or @z\\`, []string{`@x`}, false),
		Entry(nil, `@tls and not (@extension or @slow)`, []string{"@tls", "@must"}, true),
		Entry(nil, `@tls and not (@extension or @slow)`, []string{"@tls", "@slow"}, false),
		Entry(nil, `@a or @b and @c`, []string{"@a"}, true),
		Entry(nil, `(@a or @b) and @c`, []string{"@a"}, false),
		Entry(nil, `not @a and @b`, []string{"@b"}, true),
		Entry(nil, `not @a and @b`, []string{"@a", "@b"}, false),
		Entry("empty selects everything", ``, []string{}, true),
		Entry("blank selects everything", `  `, []string{"@a"}, true),
	)

	DescribeTable("reads godog's older syntax",
		func(expr, formatted string, tags []string, want bool) {
			e, err := featureset.ParseTags(expr)
			Expect(err).NotTo(HaveOccurred())
			Expect(e.String()).To(Equal(formatted))
			Expect(e.Match(tags)).To(Equal(want))
		},
		Entry(nil, `@tls && ~@extension`, `( @tls and not ( @extension ) )`, []string{"@tls", "@must"}, true),
		Entry(nil, `@tls && ~@extension`, `( @tls and not ( @extension ) )`, []string{"@tls", "@extension"}, false),
		Entry(nil, `@a,@b`, `( @a or @b )`, []string{"@b"}, true),
		Entry(nil, `@a,@b && @c`, `( ( @a or @b ) and @c )`, []string{"@b"}, false),
		Entry(nil, `@a,@b && @c`, `( ( @a or @b ) and @c )`, []string{"@b", "@c"}, true),
		Entry(nil, `~@needs-server-tls && ~@needs-lifecycle`, `( not ( @needs-server-tls ) and not ( @needs-lifecycle ) )`, []string{"@must"}, true),
		Entry("a tag without @, as godog compared them", `~extension`, `not ( @extension )`, []string{"@extension"}, false),
	)

	DescribeTable("refuses broken godog expressions instead of failing inside godog",
		func(expr string) {
			_, err := featureset.ParseTags(expr)
			var te *featureset.TagExprError
			Expect(errors.As(err, &te)).To(BeTrue(), "error %v", err)
			Expect(te.Error()).To(HavePrefix(`Tag expression "` + expr + `" could not be parsed`))
		},
		Entry(nil, `@tls &&`),
		Entry(nil, `&& @tls`),
		Entry(nil, `@a,`),
		Entry(nil, `~`),
		Entry(nil, `@a @b && @c`),
	)

	It("renders ginkgo label filters", func() {
		e, err := featureset.ParseTags(`@tls and not (@extension or @slow)`)
		Expect(err).NotTo(HaveOccurred())
		Expect(e.LabelFilter()).To(Equal(`(tls && !((extension || slow)))`))
	})
})
