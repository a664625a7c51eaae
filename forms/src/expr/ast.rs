//! The syntax tree of an expression, with names resolved to field slots once checked.

/// A byte offset into the expression source, reported to humans as a 1-based column.
pub type Pos = usize;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Date(chrono::NaiveDate),
    /// A field by name, as parsed; the checker turns it into `Slot`.
    Name(String, Pos),
    /// A field's position in the form's value table.
    Slot(usize),
    /// `.`: the value under a constraint.
    Current,
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>, Pos),
    Call(Func, Vec<Expr>, Pos),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// The functions of the language. Adding one means adding it here, in the checker's
/// signature table and in the evaluator; the README lists them for authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    If,
    Selected,
    CountSelected,
    Filled,
    Empty,
    Coalesce,
    Min,
    Max,
    Len,
    Day,
    Month,
    Year,
    DaysBetween,
    InActionMonth,
    Date,
    Total,
    TotalSex,
    TotalEthnicity,
    TotalGroup,
    TotalMinority,
}

impl Func {
    pub const ALL: [Func; 20] = [
        Func::If,
        Func::Selected,
        Func::CountSelected,
        Func::Filled,
        Func::Empty,
        Func::Coalesce,
        Func::Min,
        Func::Max,
        Func::Len,
        Func::Day,
        Func::Month,
        Func::Year,
        Func::DaysBetween,
        Func::InActionMonth,
        Func::Date,
        Func::Total,
        Func::TotalSex,
        Func::TotalEthnicity,
        Func::TotalGroup,
        Func::TotalMinority,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Func::If => "if",
            Func::Selected => "selected",
            Func::CountSelected => "count_selected",
            Func::Filled => "filled",
            Func::Empty => "empty",
            Func::Coalesce => "coalesce",
            Func::Min => "min",
            Func::Max => "max",
            Func::Len => "len",
            Func::Day => "day",
            Func::Month => "month",
            Func::Year => "year",
            Func::DaysBetween => "days_between",
            Func::InActionMonth => "in_action_month",
            Func::Date => "date",
            Func::Total => "total",
            Func::TotalSex => "total_sex",
            Func::TotalEthnicity => "total_ethnicity",
            Func::TotalGroup => "total_group",
            Func::TotalMinority => "total_minority",
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}
