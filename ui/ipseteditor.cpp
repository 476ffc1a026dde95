// SPDX-License-Identifier: MIT
#include "ui/ipseteditor.h"

#include "models/parametertype.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
constexpr int AddressRole = Qt::UserRole + 1;
constexpr int OfferedRole = Qt::UserRole + 2;

QStringList ticked(const QListWidget* list)
{
    QStringList out;
    for (int i = 0; i < list->count(); ++i) {
        const QListWidgetItem* item = list->item(i);
        if ((item->flags() & Qt::ItemIsEnabled) && item->checkState() == Qt::Checked)
            out.append(item->data(AddressRole).toString());
    }
    return out;
}

QListWidgetItem* findAddress(const QListWidget* list, const QString& address)
{
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->data(AddressRole).toString() == address)
            return list->item(i);
    }
    return nullptr;
}
} // namespace

IpSetEditor::IpSetEditor(QWidget* parent)
    : QWidget(parent)
    , m_sets(new QComboBox(this))
    , m_currentList(new QListWidget(this))
    , m_addList(new QListWidget(this))
    , m_entry(new QLineEdit(this))
    , m_addButton(new QPushButton(tr("Add"), this))
    , m_reason(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_currentLabel(new QLabel(this))
{
    setObjectName(u"wafEditor"_s);
    m_sets->setObjectName(u"wafIpSet"_s);
    m_sets->setPlaceholderText(tr("Reading the IP sets (list-ip-sets)…"));
    m_sets->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_currentList->setObjectName(u"wafCurrent"_s);
    m_currentList->setToolTip(tr("The set's addresses as get-ip-set reads them: tick one to remove it. Every address "
                                 "not ticked stays."));
    m_addList->setObjectName(u"wafAdd"_s);
    m_addList->setToolTip(tr("Addresses to add: the offenders the diagnosis found, and what you typed. Tick to add."));
    for (QListWidget* l : { m_currentList, m_addList }) {
        l->setMaximumHeight(110);
        l->setUniformItemSizes(true);
    }
    m_entry->setObjectName(u"wafAddEntry"_s);
    m_entry->setPlaceholderText(tr("Another address to block, as a CIDR (198.51.100.7/32)"));
    m_addButton->setObjectName(u"wafAddButton"_s);
    m_reason->setObjectName(u"wafAddReason"_s);
    m_reason->setWordWrap(true);
    m_reason->setStyleSheet(u"color: #b00020"_s);
    m_summary->setObjectName(u"wafSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_currentLabel->setObjectName(u"wafCurrentLabel"_s);
    m_currentLabel->setWordWrap(true);

    auto* entry = new QHBoxLayout;
    entry->setContentsMargins(0, 0, 0, 0);
    entry->addWidget(m_entry, 1);
    entry->addWidget(m_addButton);
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("IP set"), m_sets);
    form->addRow(m_currentLabel);
    form->addRow(tr("In the set"), m_currentList);
    form->addRow(tr("Add"), m_addList);
    form->addRow(QString(), entry);
    form->addRow(QString(), m_reason);
    form->addRow(m_summary);

    connect(m_sets, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_current.clear();
        m_currentKnown = false;
        m_currentError.clear();
        m_currentList->clear();
        if (index >= 0)
            Q_EMIT setChosen(m_sets->itemText(index), m_sets->itemData(index).toString());
        refreshSummary();
    });
    connect(m_addButton, &QPushButton::clicked, this, [this] {
        if (addTyped(m_entry->text()))
            m_entry->clear();
    });
    connect(m_entry, &QLineEdit::returnPressed, m_addButton, &QPushButton::click);
    connect(m_entry, &QLineEdit::textEdited, m_reason, &QLabel::clear);
    for (QListWidget* l : { m_currentList, m_addList })
        connect(l, &QListWidget::itemChanged, this, &IpSetEditor::refreshSummary);
    refreshSummary();
}

void IpSetEditor::setSets(const QList<IpSetSummary>& sets, const QString& error)
{
    const QString was = selectedName();
    const QSignalBlocker block(m_sets);
    m_sets->clear();
    m_setsError = error;
    for (const IpSetSummary& s : sets) {
        m_sets->addItem(s.name, s.id);
        m_sets->setItemData(m_sets->count() - 1,
            s.description.isEmpty() ? tr("id %1").arg(s.id) : tr("%1 (id %2)").arg(s.description, s.id),
            Qt::ToolTipRole);
    }
    m_sets->setPlaceholderText(
        error.isEmpty() ? (sets.isEmpty() ? tr("No IP set in this scope") : tr("Choose the IP set…")) : error);
    int index = m_sets->findText(was);
    if (index < 0 && sets.size() == 1)
        index = 0;
    m_sets->setCurrentIndex(index);
    m_current.clear();
    m_currentKnown = false;
    m_currentList->clear();
    if (index >= 0)
        Q_EMIT setChosen(m_sets->itemText(index), m_sets->itemData(index).toString());
    refreshSummary();
}

bool IpSetEditor::chooseSet(const QString& name)
{
    const int index = m_sets->findText(name);
    if (index < 0)
        return false;
    if (index == m_sets->currentIndex())
        Q_EMIT setChosen(name, m_sets->itemData(index).toString()); // read again
    else
        m_sets->setCurrentIndex(index);
    return true;
}

void IpSetEditor::setCurrent(const QString& id, const QStringList& addresses, const QString& error)
{
    if (id != selectedId())
        return; // an answer for a set no longer chosen
    const QSignalBlocker block(m_currentList);
    m_currentList->clear();
    m_current = addresses;
    m_currentKnown = error.isEmpty();
    m_currentError = error;
    for (const QString& a : addresses) {
        auto* item = new QListWidgetItem(a, m_currentList);
        item->setData(AddressRole, a);
        item->setFlags((item->flags() | Qt::ItemIsUserCheckable) & ~Qt::ItemIsEditable);
        item->setCheckState(Qt::Unchecked);
        item->setToolTip(tr("Tick to remove %1 from the set").arg(a));
    }
    // Offered addresses the set already holds cannot be added again; the others can.
    const QSignalBlocker blockAdd(m_addList);
    for (int i = 0; i < m_addList->count(); ++i) {
        QListWidgetItem* item = m_addList->item(i);
        const QString a = item->data(AddressRole).toString();
        const bool held = m_current.contains(a);
        item->setFlags(held ? item->flags() & ~Qt::ItemIsEnabled : item->flags() | Qt::ItemIsEnabled);
        QString label = a;
        if (!item->data(OfferedRole).toString().isEmpty())
            label += u"  ("_s + item->data(OfferedRole).toString() + u')';
        if (held)
            label += tr("  — already in the set");
        item->setText(label);
    }
    refreshSummary();
}

void IpSetEditor::addCandidate(const QString& address, const QString& label, bool tick)
{
    QListWidgetItem* item = findAddress(m_addList, address);
    if (!item) {
        item = new QListWidgetItem(m_addList);
        item->setData(AddressRole, address);
        item->setFlags((item->flags() | Qt::ItemIsUserCheckable) & ~Qt::ItemIsEditable);
        item->setCheckState(Qt::Unchecked);
    }
    if (!label.isEmpty() && item->data(OfferedRole).toString().isEmpty())
        item->setData(OfferedRole, label);
    const bool held = m_current.contains(address);
    item->setFlags(held ? item->flags() & ~Qt::ItemIsEnabled : item->flags() | Qt::ItemIsEnabled);
    QString text = address;
    if (!item->data(OfferedRole).toString().isEmpty())
        text += u"  ("_s + item->data(OfferedRole).toString() + u')';
    if (held)
        text += tr("  — already in the set");
    item->setText(text);
    if (tick && !held)
        item->setCheckState(Qt::Checked);
}

void IpSetEditor::setOffered(const QStringList& addresses, const QString& source)
{
    const QSignalBlocker block(m_addList);
    int rank = 0;
    for (const QString& a : addresses)
        addCandidate(a, source.isEmpty() ? QString() : tr("#%1 of %2").arg(++rank).arg(source), false);
    refreshSummary();
}

bool IpSetEditor::addTyped(const QString& text)
{
    QString cidr = text.trimmed();
    if (!cidr.contains(u'/')) {
        const QHostAddress address(cidr);
        if (!address.isNull())
            cidr += address.protocol() == QAbstractSocket::IPv6Protocol ? u"/128"_s : u"/32"_s;
    }
    const ParameterCheck check = ParameterType::validate(ParameterType::Cidr, cidr);
    if (cidr.isEmpty() || !check.ok) {
        m_reason->setText(cidr.isEmpty() ? tr("Type an address to block, such as 198.51.100.7/32.") : check.reason);
        return false;
    }
    if (m_current.contains(cidr)) {
        m_reason->setText(tr("%1 is already in the set.").arg(cidr));
        return false;
    }
    m_reason->clear();
    {
        const QSignalBlocker block(m_addList);
        addCandidate(cidr, {}, true);
    }
    refreshSummary();
    return true;
}

bool IpSetEditor::setAdding(const QString& address, bool add)
{
    QListWidgetItem* item = findAddress(m_addList, address);
    if (!item || !(item->flags() & Qt::ItemIsEnabled))
        return false;
    item->setCheckState(add ? Qt::Checked : Qt::Unchecked);
    return true;
}

bool IpSetEditor::setRemoving(const QString& address, bool remove)
{
    QListWidgetItem* item = findAddress(m_currentList, address);
    if (!item)
        return false;
    item->setCheckState(remove ? Qt::Checked : Qt::Unchecked);
    return true;
}

QString IpSetEditor::selectedId() const
{
    return m_sets->currentIndex() >= 0 ? m_sets->currentData().toString() : QString();
}

QString IpSetEditor::selectedName() const { return m_sets->currentIndex() >= 0 ? m_sets->currentText() : QString(); }

QStringList IpSetEditor::toAdd() const
{
    QStringList add = ticked(m_addList);
    add.removeIf([this](const QString& a) { return m_current.contains(a); });
    return add;
}

QStringList IpSetEditor::toRemove() const { return ticked(m_currentList); }

QStringList IpSetEditor::after() const { return StepExecutor::ipSetAfter(m_current, toAdd(), toRemove()); }

QString IpSetEditor::problem() const
{
    if (selectedId().isEmpty())
        return m_setsError.isEmpty() ? tr("Choose the IP set.") : m_setsError;
    if (!m_currentKnown)
        return m_currentError.isEmpty() ? tr("Reading the set's addresses (get-ip-set)…") : m_currentError;
    if (toAdd().isEmpty() && toRemove().isEmpty())
        return tr("Tick the addresses to add, or the ones in the set to remove.");
    return {};
}

QString IpSetEditor::reason() const { return m_reason->text(); }

void IpSetEditor::refreshSummary()
{
    m_currentLabel->setText(selectedId().isEmpty() ? QString()
            : m_currentKnown
            ? tr("%1 holds %n address(es); tick one to remove it, the rest stay.", nullptr, int(m_current.size()))
                  .arg(selectedName())
            : (m_currentError.isEmpty() ? tr("Reading %1 (get-ip-set)…").arg(selectedName()) : m_currentError));
    const QString why = problem();
    if (!why.isEmpty() && m_currentKnown) {
        m_summary->setText(why);
    } else if (!why.isEmpty()) {
        m_summary->clear();
    } else {
        const QStringList add = toAdd();
        const QStringList remove = toRemove();
        m_summary->setText(tr("After the update: %1 address(es) (+%2 added, −%3 removed): %4")
                               .arg(after().size())
                               .arg(add.size())
                               .arg(remove.size())
                               .arg(after().isEmpty() ? tr("(empty)") : after().join(u", "_s)));
    }
    Q_EMIT changed();
}

#include "moc_ipseteditor.cpp"
