#include "federation/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "federation/html_sanitizer.h"

namespace federation {
namespace {

struct ParserFree {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeFree {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct CharFree {
  void operator()(char* s) const { std::free(s); }
};

}  // namespace

std::string RenderMarkdown(std::string_view markdown) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  const int options = CMARK_OPT_DEFAULT | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE;
  std::unique_ptr<cmark_parser, ParserFree> parser(cmark_parser_new(options));
  if (!parser) return EscapeHtml(markdown);
  for (const char* name : {"autolink", "strikethrough", "table", "tagfilter"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser.get(), ext);
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, NodeFree> doc(cmark_parser_finish(parser.get()));
  if (!doc) return EscapeHtml(markdown);
  std::unique_ptr<char, CharFree> html(
      cmark_render_html(doc.get(), options, cmark_parser_get_syntax_extensions(parser.get())));
  if (!html) return EscapeHtml(markdown);
  // cmark ends every block with a newline; a post's content should end with its last tag.
  std::string_view rendered(html.get());
  while (!rendered.empty() && (rendered.back() == '\n' || rendered.back() == ' '))
    rendered.remove_suffix(1);
  return SanitizeHtml(rendered);
}

}  // namespace federation
